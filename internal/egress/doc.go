// Package egress guards the requests Quayside makes on a user's behalf
// (webhooks today; anything later that dials an address a user chose).
//
// A Policy refuses addresses that reach this server or the networks behind
// it: loopback, link-local, private, CGNAT, unique-local, unspecified,
// multicast and reserved addresses, the IPv4-mapped and NAT64 forms of
// those, and the addresses of this server's own interfaces, unless an admin
// allowed a range. The check runs on the resolved address at dial time
// (Policy.Control, a net.Dialer Control hook), so a host name that resolves
// to a public address when a URL is saved and to 127.0.0.1 when it is used
// (DNS rebinding) is refused all the same. Policy.CheckHost is the early,
// friendlier check of a literal address when a URL is saved.
//
// It imports only the standard library, so any package may use it.
package egress
