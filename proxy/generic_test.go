package proxy

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSetForwarded(t *testing.T) {
	tests := []struct {
		name      string
		remote    string
		prior     []string
		trusted   bool
		tls       bool
		wantFor   []string
		wantProto string
	}{
		{name: "ipv4", remote: "192.0.2.1:5555", wantFor: []string{"192.0.2.1"}, wantProto: "http"},
		{name: "ipv6", remote: "[2001:db8::1]:5555", wantFor: []string{"2001:db8::1"}, wantProto: "http"},
		{name: "a client's values are replaced", remote: "192.0.2.1:1", prior: []string{"203.0.113.1", "203.0.113.2"},
			wantFor: []string{"192.0.2.1"}, wantProto: "http"},
		{name: "a trusted proxy's values are kept", remote: "192.0.2.1:1", prior: []string{"203.0.113.1", "203.0.113.2"}, trusted: true,
			wantFor: []string{"203.0.113.1, 203.0.113.2, 192.0.2.1"}, wantProto: "http"},
		{name: "tls", remote: "192.0.2.1:1", tls: true, wantFor: []string{"192.0.2.1"}, wantProto: "https"},
		{name: "unparsable remote address", remote: "garbage", wantProto: "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := httptest.NewRequest(http.MethodGet, "http://App.Test:81/", nil)
			in.RemoteAddr = tt.remote
			if tt.prior != nil {
				in.Header["X-Forwarded-For"] = tt.prior
			}
			if tt.tls {
				in.TLS = &tls.ConnectionState{}
			}
			h := http.Header{}
			setForwarded(h, in, tt.trusted)
			assert.Equal(t, tt.wantFor, h["X-Forwarded-For"])
			assert.Equal(t, []string{"App.Test:81"}, h["X-Forwarded-Host"])
			assert.Equal(t, []string{tt.wantProto}, h["X-Forwarded-Proto"])
		})
	}
}

func TestBufferPool(t *testing.T) {
	bp := newBufferPool()
	b := bp.Get()
	assert.Len(t, b, copyBufSize)
	bp.Put(b)
	bp.Put(make([]byte, 10)) // foreign slices are dropped, not panicked on
	if !raceEnabled {        // the race detector makes sync.Pool drop items on purpose
		assert.Zero(t, testing.AllocsPerRun(100, func() { bp.Put(bp.Get()) }))
	}
}
