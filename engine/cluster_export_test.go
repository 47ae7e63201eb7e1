package engine

import "net"

// PickAdvertiseAddr is pickAddr, for the tests of package engine_test.
func PickAdvertiseAddr(ips []net.IP) (string, error) { return pickAddr(ips) }
