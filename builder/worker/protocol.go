package worker

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/quayside/quayside/engine"
)

// File descriptors of the child, after stdin, stdout and stderr.
const (
	sourceFD   = 3 // the commit's tree as an uncompressed tar stream
	messagesFD = 4 // the child's messages to the parent, JSON one per line
)

// request is what the parent writes to the child's stdin, once.
type request struct {
	// Config configures the builder the child makes (see NewBuilder).
	Config json.RawMessage `json:"config"`
	// Build is the build request, every field but Source and Output,
	// which travel as fd 3 and the messages.
	Build engine.BuildRequest `json:"build"`
	// Parent is the parent's process ID: a child whose parent is another
	// process (the parent died before the child started) stops at once.
	Parent int `json:"parent"`
}

// message is one message of the child to the parent: an output line, or
// the result, which is the last message.
type message struct {
	// Line is one line of the build's output, without its newline.
	Line *string `json:"line,omitempty"`
	// Image is the built image of a successful build.
	Image *engine.Image `json:"image,omitempty"`
	// Error is why the build failed.
	Error *wireError `json:"error,omitempty"`
}

// wireError is an error across the process boundary. An *engine.Error in
// the chain keeps its code, message, fields and technical cause, and the
// whole chain keeps its text, so what users and the log read is the same
// as for a build in the daemon's own process.
type wireError struct {
	// Text is the error's Error().
	Text string `json:"text"`
	// Stopped says the child's build ended because the child was told to
	// stop (SIGTERM, or its parent gone), not on its own.
	Stopped bool `json:"stopped,omitempty"`
	// Engine is the first *engine.Error in the chain, if any.
	Engine *engineError `json:"engine,omitempty"`
}

// engineError is an *engine.Error on the wire.
type engineError struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Fields     map[string]string `json:"fields,omitempty"`
	RetryAfter time.Duration     `json:"retry_after,omitempty"`
	// Cause is the text of the technical cause (engine.Error.Err), "" for none.
	Cause string `json:"cause,omitempty"`
}

// toWire encodes err; stopped says the child was told to stop.
func toWire(err error, stopped bool) *wireError {
	w := &wireError{Text: err.Error(), Stopped: stopped}
	var e *engine.Error
	if errors.As(err, &e) {
		w.Engine = &engineError{Code: e.Code, Message: e.Message, Fields: e.Fields, RetryAfter: e.RetryAfter}
		if e.Err != nil {
			w.Engine.Cause = e.Err.Error()
		}
	}
	return w
}

// err decodes w: an error whose text is w.Text and whose chain holds the
// *engine.Error, when there was one.
func (w *wireError) err() error {
	if w.Engine == nil {
		return errors.New(w.Text)
	}
	e := &engine.Error{Code: w.Engine.Code, Message: w.Engine.Message, Fields: w.Engine.Fields, RetryAfter: w.Engine.RetryAfter}
	if w.Engine.Cause != "" {
		e.Err = errors.New(w.Engine.Cause)
	}
	if w.Text == e.Message {
		return e
	}
	return &chainError{text: w.Text, err: e}
}

// chainError is an error chain whose outer layers came across as text.
type chainError struct {
	text string
	err  *engine.Error
}

func (c *chainError) Error() string { return c.text }
func (c *chainError) Unwrap() error { return c.err }
