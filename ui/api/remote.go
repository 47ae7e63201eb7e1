package api

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/quayside/quayside/engine"
)

// NewRemoteClient returns a client of the server at base (see ServerURL)
// with token; without a token, the saved one when it was saved for that
// server.
func NewRemoteClient(base, token string) (*Client, error) {
	base, err := ServerURL(base)
	if err != nil {
		return nil, err
	}
	if token == "" {
		if creds, err := LoadCredentials(); err == nil && creds.URL == base {
			token = creds.Token
		}
	}
	return &Client{BaseURL: base, HTTP: RemoteHTTP(), Token: token}, nil
}

// RemoteHTTP is the CLI's HTTP client for remote servers. Hosts under
// .localhost are the loopback interface (RFC 6761), as browsers treat
// them, so the CLI reaches a local server at http://quayside.localhost:8080 too.
func RemoteHTTP() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(strings.ToLower(host), ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dial(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// ServerURL checks a server URL (https:// is assumed without a scheme)
// and returns its root without a slash; anything else is a field error
// on "server".
func ServerURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", engine.FieldError("server", "%q is not a server URL: give it as https://quayside.example.com", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}
