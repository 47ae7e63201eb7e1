// Command proxybench is the Quayside side of scripts/bench-proxy.sh: it
// serves proxy.New behind proxy.NewServer over HTTP and HTTPS the way the
// product does, holds thousands of idle keep-alive client connections for
// the memory measurement, makes the self-signed certificate every proxy in
// the comparison uses, and waits for a port to answer.
//
// It is a benchmark tool, not part of the product: it lives under
// proxy/internal so nothing else can import it.
//
//	proxybench serve -backend ADDR -http ADDR -https ADDR -cert F -key F [-apps N] [-host H] [-pprof ADDR]
//	proxybench idle  -addr ADDR [-tls] [-host H] [-n N] -ready FILE
//	proxybench cert  -dir DIR
//	proxybench wait  -addr ADDR [-timeout D]
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmds := map[string]func([]string) error{
		"serve": serve,
		"idle":  idle,
		"cert":  cert,
		"wait":  wait,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		usage()
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "proxybench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: proxybench serve|idle|cert|wait [flags] (see the package doc)")
	os.Exit(2)
}
