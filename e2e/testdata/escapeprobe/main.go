// Command escapeprobe runs inside a Dockerfile build's RUN step and reports
// what of the host it can reach: each path argument that exists, and each
// -dial host:port that accepts a TCP connection. It prints one line per
// check and exits 1 when it reached anything, so the build fails on an
// escape.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	var dials []string
	flag.Func("dial", "a host:port that must not accept connections (repeatable)", func(s string) error {
		dials = append(dials, s)
		return nil
	})
	flag.Parse()
	reached := false
	for _, p := range flag.Args() {
		if _, err := os.Stat(p); err == nil {
			fmt.Printf("escapeprobe: FOUND %s\n", p)
			reached = true
		} else {
			fmt.Printf("escapeprobe: absent %s\n", p)
		}
	}
	for _, addr := range dials {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			c.Close()
			fmt.Printf("escapeprobe: FOUND a listener at %s\n", addr)
			reached = true
		} else {
			fmt.Printf("escapeprobe: no listener at %s\n", addr)
		}
	}
	if reached {
		os.Exit(1)
	}
}
