package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestDNSFlags(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
		require.NoError(t, os.Chmod(p, mode))
		return p
	}
	good := file("good.env", "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN=tok\n", 0o600)

	t.Run("a FIFO is refused, not waited on", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo.env")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		_, err := dnsFlags{DNSProvider: "cloudflare", DNSSettings: fifo}.config("apps.example.com")
		assert.Contains(t, engine.ErrorMessage(err), "not a regular file")
	})
	t.Run("off without a provider", func(t *testing.T) {
		cfg, err := dnsFlags{}.config("apps.example.com")
		require.NoError(t, err)
		assert.Nil(t, cfg)
	})
	t.Run("the zone defaults to the registered domain", func(t *testing.T) {
		cfg, err := dnsFlags{DNSProvider: "cloudflare", DNSSettings: good}.config("apps.example.co.uk")
		require.NoError(t, err)
		assert.Equal(t, "example.co.uk", cfg.Zone)
	})
	for _, c := range []struct {
		name   string
		flags  dnsFlags
		domain string
		want   string
	}{
		{"a settings file others can read is refused", dnsFlags{DNSProvider: "cloudflare", DNSSettings: file("open.env", "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN=tok\n", 0o644)}, "apps.example.com", "chmod 600"},
		{"a missing settings file says where to put them", dnsFlags{DNSProvider: "cloudflare", DNSSettings: filepath.Join(dir, "nope.env")}, "apps.example.com", "mode 0600"},
		{"a missing token is named", dnsFlags{DNSProvider: "cloudflare", DNSSettings: file("empty.env", "# nothing\n", 0o600)}, "apps.example.com", "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN"},
		{"an unknown provider", dnsFlags{DNSProvider: "route66", DNSSettings: good}, "apps.example.com", "cloudflare, rfc2136"},
		{"local mode has no public DNS", dnsFlags{DNSProvider: "cloudflare", DNSSettings: good}, "localhost", "local mode"},
		{"negative propagation", dnsFlags{DNSProvider: "cloudflare", DNSSettings: good, DNSPropagation: -1}, "apps.example.com", "between 0 and 10m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.flags.config(c.domain)
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), c.want)
			assert.NotContains(t, engine.ErrorMessage(err), "tok", "credentials never show")
		})
	}
}

// The file whose mode and owner are checked is the file whose credentials
// are read: swapping in a world-readable file between the check and the
// read (a race on a path) never gets that file's contents used.
func TestDNSSettingsCheckedFileIsTheFileRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "quayside.env")
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), mode))
		require.NoError(t, os.Chmod(p, mode))
		return p
	}
	good := write("good.env", "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN=checked\n", 0o600)
	open := write("open.env", "QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN=unchecked\n", 0o644)
	require.NoError(t, os.Link(good, path))

	done := make(chan struct{})
	swapped := make(chan struct{})
	go func() {
		defer close(swapped)
		tmp := filepath.Join(dir, "swap")
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			src := good
			if i%2 == 1 {
				src = open
			}
			_ = os.Remove(tmp)
			_ = os.Link(src, tmp)
			_ = os.Rename(tmp, path)
		}
	}()
	defer func() { close(done); <-swapped }()
	for range 3000 {
		settings, err := readSecretSettings(path)
		if err != nil {
			assert.Contains(t, engine.ErrorMessage(err), "chmod 600")
			continue
		}
		require.Equal(t, "checked", settings["QUAYSIDE_DNS_CLOUDFLARE_API_TOKEN"], "a file that failed the mode check was read")
	}
}
