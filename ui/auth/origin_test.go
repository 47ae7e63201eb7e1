package auth

import (
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		name, url, host, origin, fetchSite string
		tls                                bool
		want                               bool
	}{
		{name: "no Origin: not a browser", url: "http://quayside.example.com/", want: true},
		{name: "same origin", url: "http://quayside.example.com/", origin: "http://quayside.example.com", fetchSite: "same-origin", want: true},
		{name: "host case does not matter", url: "http://quayside.example.com/", origin: "http://QUAYSIDE.example.com", want: true},
		{name: "https same origin", url: "https://quayside.example.com/", tls: true, origin: "https://quayside.example.com", want: true},
		{name: "default https port implied", url: "https://quayside.example.com/", host: "quayside.example.com:443", tls: true, origin: "https://quayside.example.com", want: true},
		{name: "default http port written out", url: "http://quayside.example.com/", origin: "http://quayside.example.com:80", want: true},
		{name: "non-default port matches", url: "http://127.0.0.1:8080/", origin: "http://127.0.0.1:8080", want: true},
		{name: "IPv6 literal", url: "http://[::1]:8080/", origin: "http://[::1]:8080", want: true},
		{name: "http origin to an https server", url: "https://quayside.example.com/", tls: true, origin: "http://quayside.example.com"},
		{name: "https origin to an http server", url: "http://quayside.example.com/", origin: "https://quayside.example.com"},
		{name: "other port", url: "http://quayside.example.com/", origin: "http://quayside.example.com:8080"},
		{name: "other port, same host and default", url: "https://quayside.example.com/", tls: true, origin: "https://quayside.example.com:8443"},
		{name: "another site", url: "https://quayside.example.com/", tls: true, origin: "https://evil.example.com"},
		{name: "an app on a sibling host", url: "https://quayside.example.com/", tls: true, origin: "https://someapp.example.com"},
		{name: "a suffix is not a match", url: "https://quayside.example.com/", tls: true, origin: "https://quayside.example.com.evil.example"},
		{name: "a prefix is not a match", url: "https://quayside.example.com/", tls: true, origin: "https://quayside.example.co"},
		{name: "not http", url: "http://quayside.example.com/", origin: "ftp://quayside.example.com"},
		{name: "user info", url: "http://quayside.example.com/", origin: "http://x@quayside.example.com"},
		{name: "garbage", url: "http://quayside.example.com/", origin: "quayside.example.com"},
		{name: "null from a same-origin form", url: "http://quayside.example.com/", origin: "null", fetchSite: "same-origin", want: true},
		{name: "null without Sec-Fetch-Site", url: "http://quayside.example.com/", origin: "null"},
		{name: "null from another site", url: "http://quayside.example.com/", origin: "null", fetchSite: "cross-site"},
		{name: "sibling host without Origin", url: "http://quayside.example.com/", fetchSite: "same-site"},
		{name: "typed into the address bar", url: "http://quayside.example.com/", fetchSite: "none", want: true},
		{name: "matching Origin but cross-site fetch", url: "http://quayside.example.com/", origin: "http://quayside.example.com", fetchSite: "cross-site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, tc.url, nil)
			assert.NoError(t, err)
			if tc.host != "" {
				r.Host = tc.host
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if tc.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
			}
			assert.Equal(t, tc.want, SameOrigin(r))
		})
	}
}
