package proxy

import (
	"errors"
	"io"
	"net/http"
	"strings"
)

// errClientGone marks a failed write to the client.
var errClientGone = errors.New("client went away")

// leanRespond copies the response res, read from uc, to w: the end-to-end
// header fields, the status, the body as it arrives, and the trailers.
// The connection goes back to b's pool when the response ended cleanly
// and the backend keeps it open; otherwise it is closed. When the body
// breaks off after the status was sent, the client's response is aborted
// (http.ErrAbortHandler) so that it cannot pass for a complete one.
func (p *Proxy) leanRespond(w http.ResponseWriter, r *http.Request, uc *upConn, res *http.Response, b *backend) {
	h := w.Header()
	if res.Header != nil { // not read by the fast path, which filled h itself
		copyResponseHeader(h, res.Header)
	}
	announced := announceTrailers(h, res.Trailer)
	w.WriteHeader(res.StatusCode)
	if res.Body != http.NoBody {
		if err := p.copyBody(w, uc, res.Body); err != nil {
			uc.close()
			if errors.Is(err, errClientGone) || r.Context().Err() != nil {
				p.log.Debug("client went away", "host", r.Host, "backend", b.addr)
				return
			}
			p.log.Warn("backend response broke off", "host", r.Host, "backend", b.addr, "err", err)
			panic(http.ErrAbortHandler)
		}
		passTrailers(w, h, res.Trailer, announced)
	}
	if !uc.end() || res.Close || uc.br.Buffered() > 0 {
		uc.close() // aborted, closing, or it sent more than the response
		return
	}
	b.pool.put(uc)
}

// copyBody copies body to w with a pooled buffer. Writes go to the
// server's buffer; uc flushes it before it blocks on the backend.
func (p *Proxy) copyBody(w http.ResponseWriter, uc *upConn, body io.Reader) error {
	uc.flusher = flusherOf(w)
	uc.dirty = uc.flusher != nil // the head too waits for nothing but the body
	buf := p.bufs.Get()
	defer p.bufs.Put(buf)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return errClientGone
			}
			uc.dirty = uc.flusher != nil
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// flusherOf returns w's http.Flusher, looking through wrappers that have
// an Unwrap method (as http.ResponseController does), or nil.
func flusherOf(w http.ResponseWriter) http.Flusher {
	for {
		switch t := w.(type) {
		case http.Flusher:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
}

// announceTrailers declares the trailer fields the backend announced, so
// the server sends them after the body; it returns how many there were.
func announceTrailers(h http.Header, trailer http.Header) int {
	if len(trailer) == 0 {
		return 0
	}
	keys := make([]string, 0, len(trailer))
	for k := range trailer {
		keys = append(keys, k)
	}
	h["Trailer"] = []string{strings.Join(keys, ", ")}
	return len(trailer)
}

// passTrailers sets the trailer values the backend sent after the body:
// announced ones by name, unannounced ones with http.TrailerPrefix, which
// forces a chunked (or HTTP/2) response as the generic path does.
func passTrailers(w http.ResponseWriter, h, trailer http.Header, announced int) {
	if len(trailer) == 0 {
		return
	}
	if f := flusherOf(w); f != nil {
		f.Flush() // chunked, so the server adds no Content-Length
	}
	if len(trailer) == announced {
		for k, vv := range trailer {
			h[k] = vv
		}
		return
	}
	for k, vv := range trailer {
		h[http.TrailerPrefix+k] = vv
	}
}
