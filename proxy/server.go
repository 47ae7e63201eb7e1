package proxy

import (
	"log/slog"
	"net/http"
	"time"
)

// Timeouts and limits of the server NewServer makes.
const (
	// ServerReadHeaderTimeout bounds reading a request's headers, against
	// slowloris clients that hold connections open with a trickle of bytes.
	ServerReadHeaderTimeout = 10 * time.Second
	// ServerIdleTimeout closes client keep-alive connections idle this long.
	// It is longer than the 60s idle timeout of common load balancers, so a
	// balancer in front never reuses a connection the proxy just closed.
	ServerIdleTimeout = 120 * time.Second
	// ServerMaxHeaderBytes caps the request line and headers (64 KiB: room
	// for large cookies, far below the 1 MiB default).
	ServerMaxHeaderBytes = 64 << 10
)

// NewServer returns an http.Server for the proxy listening on addr, with
// ReadHeaderTimeout, IdleTimeout and MaxHeaderBytes set as above. It sets
// no ReadTimeout and no WriteTimeout: request bodies (uploads) and
// responses (SSE, downloads, WebSockets) may stream for as long as the app
// wants; the backend's own timeouts bound them. When h is a *Proxy the
// server's error log goes to the Proxy's logger; otherwise set ErrorLog.
func NewServer(addr string, h http.Handler) *http.Server {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ServerReadHeaderTimeout,
		IdleTimeout:       ServerIdleTimeout,
		MaxHeaderBytes:    ServerMaxHeaderBytes,
	}
	if p, ok := h.(*Proxy); ok {
		srv.ErrorLog = slog.NewLogLogger(p.log.Handler(), slog.LevelWarn)
	}
	return srv
}
