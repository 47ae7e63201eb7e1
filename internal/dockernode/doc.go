// Package dockernode is for tests only: it starts a second (third, ...)
// Docker daemon on the test machine that stands in for another server of a
// cluster. Each node lives in a network namespace of its own, joined to the
// host by a veth pair with a /30 from 10.252.0.0/16 (clear of the
// 10.213.0.0/16 app subnets and Docker's default pools), and runs its own
// dockerd (started with nsenter so it keeps the host's cgroup mounts) with
// its own data-root, exec-root, socket, cgroup parent, default bridge and
// iptables. Everything a node made is removed by t.Cleanup, also when the
// test fails. Privileged containers do not start on the test machines, so
// Docker-in-Docker is not an option; see docs in platform facts.
//
// It imports testing; no non-test code may import it.
package dockernode
