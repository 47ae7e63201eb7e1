package engine

import "context"

// Route sends requests for Hosts to Backends.
type Route struct {
	App string
	// Hosts are lowercase host names without port.
	Hosts []string
	// Backends are "host:port" addresses of healthy containers. With none,
	// the app's hosts answer 503.
	Backends []string
	// Edge is how the proxy treats the app's requests.
	Edge Edge
}

// Router is the reverse proxy as the engine sees it.
type Router interface {
	// SetRoute replaces the route of r.App atomically: a request that starts
	// after SetRoute returns uses only the new backends.
	SetRoute(r Route)
	// RemoveRoute forgets an app; its hosts answer 404.
	RemoveRoute(app string)
	// Drain stops new requests from reaching addr and waits until the
	// requests in flight to addr have finished, or ctx ends (then it returns
	// ctx's error).
	Drain(ctx context.Context, addr string) error
}
