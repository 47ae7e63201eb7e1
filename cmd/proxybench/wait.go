package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"time"
)

// wait returns once a TCP connection to -addr succeeds, or fails after
// -timeout.
func wait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	addr := fs.String("addr", "", "address to dial")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	_ = fs.Parse(args)
	if *addr == "" {
		return errors.New("-addr is required")
	}
	deadline := time.Now().Add(*timeout)
	for {
		c, err := net.DialTimeout("tcp", *addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer within %s: %w", *addr, *timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
