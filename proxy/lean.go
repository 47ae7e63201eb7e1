package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
)

// This file is the lean forwarding path: a request without a body goes out
// on a pooled keep-alive connection, written and read by the request's own
// goroutine (no per-request goroutines, no channel hand-offs), and the
// response is streamed back through the server's buffered writer, flushed
// only when the backend has nothing more at hand (see upConn.Read).

// max1xx bounds the informational responses passed on before the final one.
const max1xx = 5

var (
	errUnexpectedUpgrade = errors.New("backend switched protocols without being asked to")
	errTooMany1xx        = errors.New("backend sent too many informational responses")
)

// forwardLean sends r to b and copies the response to w. b is counted in
// flight by the caller; a backend the request moves to after a refused
// connection is counted here.
func (p *Proxy) forwardLean(w http.ResponseWriter, r *http.Request, b *backend) {
	uc, res, target, err := p.leanSend(w, r, b)
	if target != b {
		defer target.release()
	}
	if err != nil {
		p.badGateway(w, r, b, err)
		return
	}
	p.leanRespond(w, r, uc, res, target)
}

// leanSend sends r's head to b and returns the connection, the final
// response head and the backend that answered. Informational (1xx)
// responses are passed on to w. A reused connection that fails before the
// backend sent a byte (it closed the idle connection) is replaced, at most
// twice, the last time by a new one, and the pool's older connections are
// dropped with it; r has no body and an idempotent method, so sending it
// again is safe. A refused connection moves r to another backend of its
// route, once. The returned backend, when not b, is counted in flight and
// the caller releases it, also on error.
func (p *Proxy) leanSend(w http.ResponseWriter, r *http.Request, b *backend) (*upConn, *http.Response, *backend, error) {
	target := b
	for attempt := 0; ; attempt++ {
		uc, err := p.upstream(r.Context(), target, attempt < 2)
		if err != nil {
			if other := p.moveAfterRefusal(r, b, target, err); other != nil {
				target = other
				continue
			}
			return nil, nil, target, err
		}
		res, err := exchange(w, r, uc, p.fromTrustedProxy(r))
		if err == nil {
			return uc, res, target, nil
		}
		uc.close()
		if !uc.reused || uc.received > 0 || attempt >= 2 || r.Context().Err() != nil {
			return nil, nil, target, err
		}
		target.pool.closeIdleSince(uc.idleSince)
		p.log.Debug("reused backend connection was closed, sending again", "backend", target.addr, "err", err)
	}
}

// upstream returns an idle connection to b when fromPool and one is idle,
// else a new one.
func (p *Proxy) upstream(ctx context.Context, b *backend, fromPool bool) (*upConn, error) {
	if fromPool {
		if uc := b.pool.get(); uc != nil {
			return uc, nil
		}
	}
	c, err := p.dial(ctx, "tcp", b.addr)
	if err != nil {
		return nil, fmt.Errorf("dial backend: %w", err)
	}
	return newUpConn(c), nil
}

// moveAfterRefusal returns another backend of r's route, counted in
// flight, when the first backend b refused the connection; nil otherwise.
func (p *Proxy) moveAfterRefusal(r *http.Request, b, target *backend, err error) *backend {
	if target != b || !errors.Is(err, syscall.ECONNREFUSED) {
		return nil
	}
	rt := p.table.Load().hosts[hostKey(r.Host)]
	if rt == nil {
		return nil
	}
	other := rt.pickOther(b)
	if other != nil {
		p.log.Debug("backend refused connection, retrying", "backend", b.addr, "retry", other.addr)
	}
	return other
}

// exchange writes r's head on uc (trusted: r comes from a trusted proxy) and reads the backend's final response
// head, passing informational responses on to w. A plain head is read by
// readFastHead straight into w's header map (the response's Header is then
// nil); any other by http.ReadResponse.
func exchange(w http.ResponseWriter, r *http.Request, uc *upConn, trusted bool) (*http.Response, error) {
	uc.begin(r.Context())
	writeHead(uc.bw, r, trusted)
	if err := uc.bw.Flush(); err != nil {
		return nil, fmt.Errorf("write request: %w", err)
	}
	fh, err := readFastHead(uc, w.Header(), r.Method)
	if err == nil {
		uc.budget = -1
		return fastResponse(uc, r.Method, fh), nil
	}
	if !errors.Is(err, errFastFallback) {
		return nil, err
	}
	for n := 0; ; n++ {
		res, err := http.ReadResponse(uc.br, r)
		if err != nil {
			return nil, fmt.Errorf("read response: %w", err)
		}
		switch {
		case res.StatusCode >= 200:
			uc.budget = -1
			return res, nil
		case res.StatusCode < 100:
			return nil, fmt.Errorf("read response: malformed status code %d", res.StatusCode)
		case res.StatusCode == http.StatusSwitchingProtocols:
			return nil, errUnexpectedUpgrade
		case n >= max1xx:
			return nil, errTooMany1xx
		}
		pass1xx(w, res)
		uc.budget = maxResponseHeaderBytes
	}
}

// pass1xx sends an informational response (103 Early Hints, 102) on to
// the client, as the generic path does.
func pass1xx(w http.ResponseWriter, res *http.Response) {
	h := w.Header()
	copyResponseHeader(h, res.Header)
	w.WriteHeader(res.StatusCode)
	clear(h)
}
