package receive

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gossh "golang.org/x/crypto/ssh"
)

func TestHostKey(t *testing.T) {
	t.Parallel()

	t.Run("the fingerprint survives a restart", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		first := h.srv.HostKeyFingerprint()
		assert.Regexp(t, `^SHA256:[A-Za-z0-9+/]{43}$`, first)
		assert.Equal(t, first, h.dialHostKey())
		assert.Regexp(t, `^ssh-ed25519 AAAA`, h.srv.HostPublicKey())

		fi, err := os.Stat(h.cfg.HostKeyPath)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		pemBytes, err := os.ReadFile(h.cfg.HostKeyPath)
		require.NoError(t, err)
		assert.Contains(t, string(pemBytes), "-----BEGIN OPENSSH PRIVATE KEY-----")

		h.stop(h.srv)
		h.start()
		assert.Equal(t, first, h.srv.HostKeyFingerprint())
		assert.Equal(t, first, h.dialHostKey(), "clients see the same key after the restart")
		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
	})

	t.Run("a malformed host key file is an error and is kept", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "host_key")
		require.NoError(t, os.WriteFile(path, []byte("not a key"), 0o600))
		_, err := loadOrCreateHostKey(path)
		require.ErrorContains(t, err, "parse host key")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "not a key", string(b))
	})

	t.Run("the directory is created", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "a", "b", "host_key")
		s1, err := loadOrCreateHostKey(path)
		require.NoError(t, err)
		s2, err := loadOrCreateHostKey(path)
		require.NoError(t, err)
		assert.Equal(t, s1.PublicKey().Marshal(), s2.PublicKey().Marshal())
		assert.Equal(t, "ssh-ed25519", s1.PublicKey().Type())
	})
}

// dialHostKey does an SSH handshake with the server and returns the host
// key fingerprint it presented.
func (h *harness) dialHostKey() string {
	h.t.Helper()
	var seen string
	cfg := &gossh.ClientConfig{
		User: "git",
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			seen = gossh.FingerprintSHA256(key)
			return nil
		},
		Timeout: 10 * time.Second,
	}
	c, err := gossh.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(h.port)), cfg)
	if err == nil {
		c.Close()
	}
	require.NotEmpty(h.t, seen, "handshake: %v", err)
	return seen
}
