package proxy

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"
)

// Defaults for the zero fields of Options.
const (
	// DefaultDialTimeout bounds connecting to a backend. Backends run on the
	// same host, so a dial that takes longer means the backend is gone.
	DefaultDialTimeout = 5 * time.Second
	// DefaultMaxIdleConnsPerHost is the keep-alive pool per backend: enough
	// idle connections for a few thousand requests per second at tens of
	// milliseconds of latency without re-dialing.
	DefaultMaxIdleConnsPerHost = 512
	// DefaultIdleConnTimeout closes keep-alive connections to a backend after
	// this long unused.
	DefaultIdleConnTimeout = 90 * time.Second
	// DefaultRetryAfter is the Retry-After sent with the 503 page.
	DefaultRetryAfter = 5 * time.Second
)

// Options tune a Proxy. The zero value is ready to use.
type Options struct {
	// Logger receives route changes, drains and backend errors; nil discards.
	Logger *slog.Logger
	// Observer, when not nil, is told about every request (see Observer).
	Observer Observer
	// DialTimeout bounds connecting to a backend (DefaultDialTimeout).
	DialTimeout time.Duration
	// MaxIdleConnsPerHost caps the idle keep-alive connections each
	// forwarding path keeps per backend (DefaultMaxIdleConnsPerHost).
	// Connections in use are not capped.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes unused keep-alive connections (DefaultIdleConnTimeout).
	IdleConnTimeout time.Duration
	// RetryAfter is sent with the 503 page, rounded to whole seconds, at
	// least 1 (DefaultRetryAfter).
	RetryAfter time.Duration
	// HasCertificate reports whether host has a TLS certificate; plain
	// HTTP requests of apps that ask for it are redirected to HTTPS only
	// then. Nil never redirects.
	HasCertificate func(host string) bool
	// HTTPSPort is the port HTTPS redirects go to; "" or "443" leaves it out.
	HTTPSPort string
	// ControlHost, when set, is served by Control instead of an app.
	ControlHost string
	Control     http.Handler
	// TrustedProxies are the addresses of front proxies whose forwarding
	// fields (X-Forwarded-For and the like) are believed; from any other
	// peer they are dropped and X-Forwarded-For is the peer's address.
	// Empty: Quayside is the edge and believes no one.
	TrustedProxies []netip.Prefix
}

// withDefaults returns o with zero fields replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if o.IdleConnTimeout <= 0 {
		o.IdleConnTimeout = DefaultIdleConnTimeout
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	return o
}
