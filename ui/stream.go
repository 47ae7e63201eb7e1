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

// streamOp runs op, a long operation, and answers with its outcome:
// streamed events when the client accepts api.StreamContentType, otherwise
// the result (or the error) as plain JSON once op is done. op fills in the
// result event's payload.
func (s *Server) streamOp(c echo.Context, op func(*streamWriter) (api.StreamEvent, error)) error {
	w := &streamWriter{
		c:      c,
		enc:    json.NewEncoder(c.Response()),
		stream: strings.Contains(c.Request().Header.Get(echo.HeaderAccept), api.StreamContentType),
	}
	ctx, release := s.hold(c)
	defer release()
	c.SetRequest(c.Request().WithContext(ctx))
	res, err := op(w)
	if cause := endedBy(ctx); err != nil && cause != nil {
		err = cause
	}
	if !w.stream {
		return plainResult(c, res, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.send(api.StreamEvent{Type: api.EventError, Error: apiError(err)})
		return nil
	}
	res.Type = api.EventResult
	w.send(res)
	return nil
}

// streamRelease is streamOp for operations that make a release.
func (s *Server) streamRelease(c echo.Context, op func(*streamWriter) (*engine.Release, error)) error {
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		rel, err := op(w)
		if err != nil || rel == nil {
			return api.StreamEvent{}, err
		}
		r := releaseJSON(rel, rel.Number)
		return api.StreamEvent{Release: &r}, nil
	})
}

func plainResult(c echo.Context, res api.StreamEvent, err error) error {
	switch {
	case err != nil:
		return err
	case res.Release != nil:
		return c.JSON(http.StatusOK, res.Release)
	case res.App != nil:
		return c.JSON(http.StatusOK, res.App)
	case res.ExitCode != nil:
		return c.JSON(http.StatusOK, map[string]int{"exit_code": *res.ExitCode})
	case res.Limits != nil:
		return c.JSON(http.StatusOK, res.Limits)
	}
	return c.NoContent(http.StatusNoContent)
}
