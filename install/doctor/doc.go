// Package doctor checks what Quayside needs from the server it runs on and
// says how to fix each problem: Docker answers, the daemon answers, who
// holds the HTTP, HTTPS and SSH ports (from /proc/net/tcp and the
// processes' sockets), DNS points here, room on the disks, memory, the
// apps' certificates and the clock.
//
// It sits in install: it reads the machine directly and meets Docker and
// the daemon only through the probes in Config, which cmd/quayside wires
// to engine/docker and the control socket's client. Run returns findings;
// printing them is cmd's.
package doctor
