package proxy

import (
	"context"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quayside/quayside/internal/password"
)

// Proxy is the reverse proxy in front of every app. It is an http.Handler
// and an engine.Router; all methods are safe for concurrent use.
type Proxy struct {
	log        *slog.Logger
	errLog     *log.Logger
	obs        Observer
	retryAfter []string
	transport  *http.Transport
	conns      *connTracker
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	bufs       bufferPool
	maxIdle    int           // per backend, each path
	idleTime   time.Duration // before an idle backend connection is closed

	certOK      func(string) bool
	httpsPort   string
	controlHost string
	control     http.Handler
	trusted     []netip.Prefix

	// table is read by every request without a lock.
	table atomic.Pointer[table]
	// mu serialises route changes and guards backends.
	mu       sync.Mutex
	backends map[string]*backend // address -> backend, shared by all routes
	// authQueues bounds each app's basic-auth password checks; guarded by mu.
	authQueues map[string]*authQueue
	// checkPassword checks a basic-auth password against its hash.
	checkPassword func(ctx context.Context, hash, pw string) error
}

var _ http.Handler = (*Proxy)(nil)

// New returns a Proxy with no routes: every host answers 404 until SetRoute.
func New(opts Options) *Proxy {
	o := opts.withDefaults()
	conns := newConnTracker(o.DialTimeout)
	p := &Proxy{
		log:           o.Logger,
		errLog:        slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
		obs:           o.Observer,
		retryAfter:    []string{strconv.Itoa(int(math.Max(1, math.Round(o.RetryAfter.Seconds()))))},
		transport:     newTransport(o, conns),
		conns:         conns,
		dial:          conns.dialer(newDialer(o).DialContext),
		bufs:          newBufferPool(),
		maxIdle:       o.MaxIdleConnsPerHost,
		idleTime:      o.IdleConnTimeout,
		backends:      map[string]*backend{},
		authQueues:    map[string]*authQueue{},
		checkPassword: password.CheckContext,
		certOK:        o.HasCertificate,
		httpsPort:     o.HTTPSPort,
		control:       o.Control,
		trusted:       unmapPrefixes(o.TrustedProxies),
	}
	if o.Control != nil {
		p.controlHost = hostKey(o.ControlHost)
	}
	p.table.Store(emptyTable())
	return p
}

// Close closes the idle connections to all backends. It does not stop
// requests in flight (shut the http.Server down for that); the Proxy stays
// usable and dials again when needed.
func (p *Proxy) Close() error {
	p.transport.CloseIdleConnections()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.backends {
		b.pool.closeIdle()
	}
	return nil
}

// ServeHTTP routes r by its Host header and forwards it to a backend of the
// matching app: 404 page for an unknown host, 503 page when the app has no
// backend that accepts requests, 502 page when the backend does not answer.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.obs != nil {
		p.serveObserved(w, r)
		return
	}
	p.serve(w, r, nil)
}

// serve does the work of ServeHTTP, filling info when it is not nil.
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	if !validHost(r.Host) {
		writePage(w, &pageBadRequest)
		return
	}
	host := hostKey(r.Host)
	if p.control != nil && host == p.controlHost {
		p.serveControl(w, r, host)
		return
	}
	rt, b := p.acquire(host)
	if info != nil {
		info.Host = host
		if rt != nil {
			info.App = rt.app
		}
		if b != nil {
			info.Backend = b.addr
		}
	}
	switch {
	case rt == nil:
		writePage(w, &pageNotFound)
	case rt.edge != nil && p.apply(rt.edge, w, r, host):
		if b != nil {
			b.release()
		}
	case b == nil:
		writePageRetry(w, &pageUnavailable, p.retryAfter)
	default:
		defer b.release()
		b.fwd.ServeHTTP(w, r)
	}
}

// acquire returns host's route and a backend of it with the request
// counted in flight. A backend that turned out to be draining is skipped;
// when the snapshot's route has none left, acquire looks again in the
// current table, which the switch that drains it has already published.
// It returns a nil backend when the route has none that accepts requests,
// and a nil route when no app has host.
func (p *Proxy) acquire(host string) (*route, *backend) {
	t := p.table.Load()
	for {
		rt := t.hosts[host]
		if rt == nil {
			return nil, nil
		}
		if b := rt.pick(); b != nil {
			return rt, b
		}
		cur := p.table.Load()
		if cur == t {
			return rt, nil
		}
		t = cur
	}
}

// unmapPrefixes returns ps with IPv4-mapped IPv6 prefixes as IPv4 ones, so
// they match peers whose addresses are unmapped.
func unmapPrefixes(ps []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out
}
