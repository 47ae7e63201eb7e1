package engine

import (
	"regexp"
	"strings"
)

// MaxMaintenancePageBytes bounds a custom maintenance page.
const MaxMaintenancePageBytes = 64 << 10

// Edge is how the proxy treats an app's requests before they reach it.
type Edge struct {
	// HTTPSRedirect answers plain HTTP requests with a 308 redirect to HTTPS,
	// for hosts that have a certificate. On for new apps.
	HTTPSRedirect bool
	// HSTS adds Strict-Transport-Security to HTTPS answers. Off by default:
	// browsers remember it for a long time.
	HSTS bool
	// BasicAuthUser and BasicAuthHash, when set, require HTTP basic auth;
	// the hash is a memory-hard password hash, never the password.
	BasicAuthUser string
	BasicAuthHash string
	// Maintenance answers every request with 503 and the maintenance page.
	Maintenance bool
	// MaintenancePage is the app's own HTML for maintenance; "" uses Quayside's.
	MaintenancePage string
}

// DefaultEdge is how a new app starts.
func DefaultEdge() Edge { return Edge{HTTPSRedirect: true} }

var basicUserRe = regexp.MustCompile(`^[A-Za-z0-9._@+-]{1,64}$`)

// ValidateBasicAuthUser reports whether user can be a basic auth user name
// (no colon, no spaces, at most 64 characters).
func ValidateBasicAuthUser(user string) error {
	if !basicUserRe.MatchString(user) {
		return FieldError("user", "%q is not a usable user name: use up to 64 letters, digits and . _ @ + -", user)
	}
	return nil
}

// ValidateMaintenancePage checks a custom maintenance page.
func ValidateMaintenancePage(page string) error {
	if len(page) > MaxMaintenancePageBytes {
		return FieldError("page", "the maintenance page is %d bytes: the limit is %d", len(page), MaxMaintenancePageBytes)
	}
	if strings.ContainsRune(page, 0) {
		return FieldError("page", "the maintenance page contains a NUL byte")
	}
	return nil
}
