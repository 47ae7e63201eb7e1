package main

import (
	"bufio"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// idle opens -n keep-alive connections to -addr, sends one request on each
// (over TLS: after a full handshake) and reads the response, then writes
// "<open> <failed>" to -ready and holds the connections idle until SIGINT or
// SIGTERM. Connections come from 32 loopback source addresses so that
// repeated rounds do not run out of ephemeral ports.
func idle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	addr := fs.String("addr", "", "proxy address")
	useTLS := fs.Bool("tls", false, "connect with TLS (HTTP/1.1, like wrk)")
	host := fs.String("host", "bench.test", "Host header and TLS server name")
	n := fs.Int("n", 10000, "connections to open")
	ready := fs.String("ready", "", "file to write \"<open> <failed>\" to once all are open")
	_ = fs.Parse(args)
	if *addr == "" || *ready == "" {
		return errors.New("-addr and -ready are required")
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)

	req := []byte("GET / HTTP/1.1\r\nHost: " + *host + "\r\nUser-Agent: proxybench\r\n\r\n")
	conns := make([]net.Conn, *n)
	var failed atomic.Int64
	var firstErr atomic.Value
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				c, err := openIdle(*addr, i, *useTLS, *host, req)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		fmt.Fprintln(os.Stderr, "proxybench idle: first failure:", e)
	}
	msg := fmt.Sprintf("%d %d\n", int64(*n)-failed.Load(), failed.Load())
	if err := os.WriteFile(*ready, []byte(msg), 0o644); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	<-sig
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
	return nil
}

// openIdle dials addr from one of 32 loopback source addresses, sends req
// and reads the whole response.
func openIdle(addr string, i int, useTLS bool, host string, req []byte) (net.Conn, error) {
	d := &net.Dialer{
		Timeout:   10 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%32))},
	}
	var c net.Conn
	var err error
	if useTLS {
		// The benchmark's own self-signed certificate on loopback.
		cfg := &tls.Config{ServerName: host, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}} //nolint:gosec
		c, err = tls.DialWithDialer(d, "tcp", addr, cfg)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	if err := roundTrip(c, req); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func roundTrip(c net.Conn, req []byte) error {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	defer func() { _ = c.SetDeadline(time.Time{}) }()
	if _, err := c.Write(req); err != nil {
		return fmt.Errorf("write request: %w", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
