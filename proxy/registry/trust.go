package registry

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// DefaultCertsDir is where dockerd looks for the CA of a registry:
// <dir>/<host:port>/ca.crt.
const DefaultCertsDir = "/etc/docker/certs.d"

// Trust makes the Docker daemon of this machine trust caPEM for the
// registry at hostport (and for it alone) by writing
// <certsDir>/<hostport>/ca.crt. dockerd reads the folder at every pull and
// push, so no restart is needed. hostport must be a host:port; anything
// that could leave certsDir is refused.
func Trust(certsDir, hostport string, caPEM []byte) error {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || host == "" || port == "" || strings.ContainsAny(hostport, "/\\") || strings.Contains(hostport, "..") {
		return fmt.Errorf("trust registry: %q is not a host:port such as 10.0.0.1:5443", hostport)
	}
	dir := filepath.Join(certsDir, hostport)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("trust registry: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), caPEM, 0o644); err != nil {
		return fmt.Errorf("trust registry: %w", err)
	}
	return nil
}
