package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// printPrivileges prints the CapEff line of /proc/self/status and
// "raw socket: ok" or "raw socket: <error>" for an ICMP raw socket (what
// ping and packet forgers open).
func printPrivileges() {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println("status:", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "CapEff:") {
			fmt.Println(line)
		}
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_ICMP)
	if err != nil {
		fmt.Println("raw socket:", err)
		return
	}
	syscall.Close(fd)
	fmt.Println("raw socket: ok")
}

// allocated keeps what allocate touched reachable.
var allocated [][]byte

// allocate allocates mib MiB and writes to every page of it.
func allocate(mib int) {
	for range mib {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		allocated = append(allocated, b)
	}
	if mib > 0 {
		fmt.Printf("allocated %d MiB\n", mib)
	}
}
