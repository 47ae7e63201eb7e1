package daemon

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLs(t *testing.T) {
	tests := []struct {
		cfg         Config
		app, git    string
		local       bool
		controlHost string
	}{
		{Config{Domain: "localhost", HTTPPort: "8080", HTTPSPort: "8443", SSHPort: "2222"},
			"http://shop.localhost:8080", "ssh://git@localhost:2222/", true, "quayside.localhost"},
		{Config{Domain: "example.com", HTTPPort: "80", HTTPSPort: "443", SSHPort: "22"},
			"https://shop.example.com", "ssh://git@example.com:22/", false, "quayside.example.com"},
		{Config{Domain: "example.com", HTTPPort: "80", HTTPSPort: "8443", SSHPort: "2222"},
			"https://shop.example.com:8443", "ssh://git@example.com:2222/", false, "quayside.example.com"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.app, tt.cfg.AppURL("shop"), tt.cfg.Domain)
		assert.Equal(t, tt.git, tt.cfg.GitURL(), tt.cfg.Domain)
		assert.Equal(t, tt.local, tt.cfg.Local(), tt.cfg.Domain)
		assert.Equal(t, tt.controlHost, tt.cfg.ControlHost(), tt.cfg.Domain)
		scheme, port, _ := strings.Cut(strings.TrimPrefix(tt.app, "http"), "://shop."+tt.cfg.Domain)
		assert.Equal(t, "http"+scheme+"://www.shop.test"+port, tt.cfg.HostURL("www.shop.test"),
			"a custom domain has the scheme and port of the app hosts")
	}
}
