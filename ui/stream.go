package ui

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// streamWriter turns writes into "output" events on a streamed answer, or
// collects them when the client did not ask for a stream.
type streamWriter struct {
	mu      sync.Mutex
	c       echo.Context
	enc     *json.Encoder
	stream  bool
	started bool
	buf     strings.Builder
}

// Write sends p as one output event. It never fails: a client that went
// away must not break the deploy writing to it.
func (w *streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stream {
		w.buf.Write(p)
		return len(p), nil
	}
	w.send(api.StreamEvent{Type: api.EventOutput, Text: string(p)})
	return len(p), nil
}

func (w *streamWriter) send(ev api.StreamEvent) {
	if !w.started {
		h := w.c.Response().Header()
		h.Set(echo.HeaderContentType, api.StreamContentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		w.c.Response().WriteHeader(http.StatusOK)
		w.started = true
	}
	_ = w.enc.Encode(ev)
	w.c.Response().Flush()
}

// streamRelease runs op, which deploys, and answers with its outcome:
// streamed events when the client accepts api.StreamContentType, otherwise
// the release (or the error) as plain JSON once op is done.
func (s *Server) streamRelease(c echo.Context, op func(*streamWriter) (*engine.Release, error)) error {
	w := &streamWriter{
		c:      c,
		enc:    json.NewEncoder(c.Response()),
		stream: strings.Contains(c.Request().Header.Get(echo.HeaderAccept), api.StreamContentType),
	}
	rel, err := op(w)
	if !w.stream {
		return plainResult(c, rel, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.send(api.StreamEvent{Type: api.EventError, Error: apiError(err)})
		return nil
	}
	ev := api.StreamEvent{Type: api.EventResult}
	if rel != nil {
		r := releaseJSON(rel, rel.Number)
		ev.Release = &r
	}
	w.send(ev)
	return nil
}

func plainResult(c echo.Context, rel *engine.Release, err error) error {
	if err != nil {
		return err
	}
	if rel == nil {
		return c.NoContent(http.StatusNoContent)
	}
	return c.JSON(http.StatusOK, releaseJSON(rel, rel.Number))
}
