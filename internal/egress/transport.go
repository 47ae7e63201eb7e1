package egress

import (
	"net"
	"net/http"
	"time"
)

// Dialer returns a dialer whose connections are checked by p at dial
// time, after name resolution, for every address tried.
func (p *Policy) Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: p.Control, Resolver: p.Resolver}
}

// Transport returns an HTTP transport that dials through p.Dialer and
// uses no proxy (a proxy would dial the refused address on its behalf).
func (p *Policy) Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = p.Dialer().DialContext
	return t
}

// Client returns an HTTP client that uses p.Transport and follows no
// redirects: a 3xx is the answer.
func (p *Policy) Client() *http.Client {
	return &http.Client{
		Transport: p.Transport(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
