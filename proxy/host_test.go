package proxy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHostKey(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"app.example.com", "app.example.com"},
		{"App.Example.COM", "app.example.com"},
		{"app.example.com:8080", "app.example.com"},
		{"app.example.com.", "app.example.com"},
		{"APP.example.com.:443", "app.example.com"},
		{"127.0.0.1:80", "127.0.0.1"},
		{"[::1]:8080", "::1"},
		{"[::1]", "::1"},
		{"[2001:DB8::1]:443", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"[::1", ""},
		{"", ""},
		{":80", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, hostKey(tt.in), "hostKey(%q)", tt.in)
	}
}

func TestHostKeyDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = hostKey("app.example.com:8080") })
	assert.Zero(t, allocs)
}
