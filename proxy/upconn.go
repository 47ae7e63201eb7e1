package proxy

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Sizes and limits of the lean path's backend connections.
const (
	// upBufSize is the read and the write buffer of each connection: room
	// for a typical request head and a small response in one system call.
	upBufSize = 4 << 10
	// watchAfter is how long a request waits on its backend before the
	// proxy starts watching the client's context. Most responses come
	// sooner, and watching from the start costs more than the rest of the
	// exchange allocates; a client that leaves is noticed this much later.
	watchAfter = 20 * time.Millisecond
	// maxResponseHeaderBytes caps a response head (status line and header
	// fields) from a backend.
	maxResponseHeaderBytes = 1 << 20
)

var (
	errResponseHeaderTooLarge = errors.New("response header from the backend is too large")
	aLongTimeAgo              = time.Unix(1, 0)
)

// upConn is a keep-alive connection of the lean path to one backend. One
// request owns it at a time (between connPool.get and put), so its fields
// need no lock; only abort runs on another goroutine, and it touches
// nothing but the socket's deadline.
//
// While a request waits on the backend, a client that goes away must end
// the wait (so the request stops counting as in flight and Drain can
// finish). uc does not watch the request's context from the start: it
// reads with a short deadline (watchAfter), and only when that passes does
// it clear the deadline and arm a watch that aborts the connection once
// the context ends.
type upConn struct {
	net.Conn // tracked by the Proxy's connTracker, for Drain
	br       *bufio.Reader
	bw       *bufio.Writer
	abortFn  func() // uc.abort, made once

	idleSince time.Time // when it was last returned to the pool
	reused    bool      // it has served a request before

	// The current request's state.
	ctx      context.Context // the request's; watched once a read waits long
	stop     func() bool     // ends the watch on ctx, nil while not watching
	received int             // bytes read from the backend
	budget   int             // header bytes still allowed; -1 once the head is read
	flusher  http.Flusher    // the client's writer, flushed before blocking on the backend
	dirty    bool            // something was written to flusher since its last flush

	// Reused by each request's fast-path response (fasthead.go).
	res     http.Response
	length  lengthBody
	chunked chunkedBody
}

func newUpConn(c net.Conn) *upConn {
	uc := &upConn{Conn: c}
	uc.br = bufio.NewReaderSize(uc, upBufSize)
	uc.bw = bufio.NewWriterSize(c, upBufSize)
	uc.abortFn = uc.abort
	return uc
}

// Read reads from the backend for br. Before it may block it flushes what
// the request copied to the client since the last flush: a streamed
// response reaches the client as the backend sends it, while a response
// that is already in the buffer whole goes out in one write when the
// handler returns. It enforces the response head limit.
func (uc *upConn) Read(p []byte) (int, error) {
	if uc.dirty {
		uc.dirty = false
		uc.flusher.Flush()
	}
	if uc.budget >= 0 {
		if uc.budget == 0 {
			return 0, errResponseHeaderTooLarge
		}
		p = p[:min(len(p), uc.budget)]
	}
	n, err := uc.Conn.Read(p)
	if n == 0 && uc.stop == nil && uc.ctx != nil && isTimeout(err) {
		uc.watch() // the backend takes its time: watch the client from now on
		n, err = uc.Conn.Read(p)
	}
	uc.received += n
	if uc.budget >= 0 {
		uc.budget -= n
	}
	return n, err
}

// begin prepares uc for a request whose context is ctx: reads wait at most
// watchAfter before uc watches ctx (see upConn).
func (uc *upConn) begin(ctx context.Context) {
	uc.received = 0
	uc.budget = maxResponseHeaderBytes
	uc.flusher = nil
	uc.dirty = false
	uc.ctx = ctx
	_ = uc.Conn.SetReadDeadline(time.Now().Add(watchAfter))
}

// watch clears the read deadline and arms the watch on the request's
// context: when it ends (the client went away), every blocked read or
// write on uc fails at once. The deadline is cleared first, so an abort
// that runs at once is not undone.
func (uc *upConn) watch() {
	_ = uc.Conn.SetReadDeadline(time.Time{})
	uc.stop = context.AfterFunc(uc.ctx, uc.abortFn)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// abort makes every pending and future I/O on uc fail.
func (uc *upConn) abort() { _ = uc.Conn.SetDeadline(aLongTimeAgo) }

// end finishes the request's use of uc and reports whether uc is still
// usable: false when the request's context ended and aborted it.
func (uc *upConn) end() bool {
	uc.flusher = nil
	uc.dirty = false
	uc.ctx = nil
	stop := uc.stop
	uc.stop = nil
	return stop == nil || stop() // a short deadline left behind is replaced by the next begin
}

// close ends any request's use of uc and closes it.
func (uc *upConn) close() {
	uc.end()
	_ = uc.Conn.Close()
}
