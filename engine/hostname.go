package engine

import (
	"net"
	"regexp"
	"strings"
)

var labelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateHostname reports whether name is a lowercase DNS host name
// ("example.com", "localhost"): dot-separated labels of letters, digits and
// inner hyphens, at most 253 characters, no wildcard, no IP address.
func ValidateHostname(name string) error {
	if name == "" || len(name) > 253 {
		return FieldError("domain", "%q is not a host name: it must have 1 to 253 characters", name)
	}
	if net.ParseIP(name) != nil {
		return FieldError("domain", "%q is an IP address, not a host name", name)
	}
	if name != strings.ToLower(name) {
		return FieldError("domain", "%q must be written in lowercase", name)
	}
	for _, l := range strings.Split(name, ".") {
		if !labelRe.MatchString(l) {
			return FieldError("domain", "%q is not a valid host name: each dot-separated part must be letters, digits and inner hyphens", name)
		}
	}
	return nil
}
