package certs

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModeFor(t *testing.T) {
	tests := []struct {
		domain string
		want   Mode
	}{
		{"localhost", ModeLocal},
		{"LOCALHOST.", ModeLocal},
		{"dev.localhost", ModeLocal},
		{"127.0.0.1", ModeLocal},
		{"192.168.1.20", ModeLocal},
		{"::1", ModeLocal},
		{"[::1]", ModeLocal},
		{"example.com", ModeACME},
		{"paas.example.com", ModeACME},
		{"notlocalhost.com", ModeACME},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ModeFor(tt.domain), tt.domain)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := func(string) bool { return true }
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"no dir", Config{Mode: ModeLocal, Allowed: ok}, "Dir is required"},
		{"no Allowed", Config{Dir: "d", Mode: ModeLocal}, "Allowed is required"},
		{"no mode", Config{Dir: "d", Allowed: ok}, "unknown Config.Mode"},
		{"plain http CA", Config{Dir: "d", Mode: ModeACME, Allowed: ok, CA: "http://ca/dir"}, "must be an https:// URL"},
		{"no challenge", Config{Dir: "d", Mode: ModeACME, Allowed: ok, DisableHTTP01: true, DisableTLSALPN01: true}, "at least one"},
		{"bad roots", Config{Dir: "d", Mode: ModeACME, Allowed: ok, TrustedRoots: []byte("nope")}, "no PEM certificate"},
		{"bad address", Config{Dir: "d", Mode: ModeACME, Allowed: ok, HTTPSAddr: "443"}, "listen address"},
		{"bad port", Config{Dir: "d", Mode: ModeACME, Allowed: ok, HTTPAddr: ":http"}, "no valid port"},
		{"local", Config{Dir: "d", Mode: ModeLocal, Allowed: ok}, ""},
		{"acme defaults", Config{Dir: "d", Mode: ModeACME, Allowed: ok}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, tt.cfg.Logger)
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{Dir: "d", Mode: ModeACME, Allowed: func(string) bool { return true }}
	require.NoError(t, cfg.validate())
	assert.Equal(t, LetsEncrypt, cfg.CA)
	assert.Equal(t, ":80", cfg.HTTPAddr)
	assert.Equal(t, ":443", cfg.HTTPSAddr)
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{Dir: t.TempDir(), Mode: ModeACME})
	assert.Error(t, err)
}

func TestNormalizeHost(t *testing.T) {
	tests := map[string]string{
		"app.example.com":  "app.example.com",
		"App.Example.COM.": "app.example.com",
		" app.test ":       "app.test",
		"[::1]":            "::1",
		"":                 "",
	}
	for in, want := range tests {
		assert.Equal(t, want, normalizeHost(in), "%q", in)
	}
}

func TestRequestHost(t *testing.T) {
	assert.Equal(t, "app.test", requestHost("App.test:8080"))
	assert.Equal(t, "app.test", requestHost("app.test"))
	assert.Equal(t, "::1", requestHost("[::1]:80"))
}

func TestServerName(t *testing.T) {
	assert.Equal(t, "app.test", serverName(&tls.ClientHelloInfo{ServerName: "APP.test"}))
	assert.Equal(t, "", serverName(&tls.ClientHelloInfo{}))
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	assert.Equal(t, "", serverName(&tls.ClientHelloInfo{Conn: a}), "a non-TCP connection has no IP")
}

func TestIsChallenge(t *testing.T) {
	assert.True(t, isChallenge(&tls.ClientHelloInfo{SupportedProtos: []string{"acme-tls/1"}}))
	assert.False(t, isChallenge(&tls.ClientHelloInfo{SupportedProtos: []string{"h2", "acme-tls/1"}}))
	assert.False(t, isChallenge(&tls.ClientHelloInfo{}))
}

func TestQualifies(t *testing.T) {
	for host, want := range map[string]bool{
		"app.example.com":   true,
		"127.0.0.1":         true,
		"::1":               true,
		"xn--bcher-kva.ch":  true,
		"":                  false,
		"*.example.com":     false,
		"app example.com":   false,
		".example.com":      false,
		"app.example.com/x": false,
	} {
		assert.Equal(t, want, qualifies(host), "%q", host)
	}
}
