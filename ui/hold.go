// Long-lived requests held for their user (engine.Accounts.Hold), and how
// a stream says why it was cut off.

package ui

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// hold registers the request as long-lived work of its user
// (engine.Accounts.Hold): the returned context ends, with the reason as
// its cause, when the user is disabled, demoted or removed, loses access
// to an app, has a token revoked or is signed out everywhere. Call the
// returned function when the work ends.
func (s *Server) hold(c echo.Context) (context.Context, context.CancelFunc) {
	ctx := c.Request().Context()
	if s.cfg.Accounts == nil {
		return context.WithCancel(ctx)
	}
	return s.cfg.Accounts.Hold(ctx)
}

// endedBy is why ctx ended, when Hold ended it (an *engine.Error), or nil.
func endedBy(ctx context.Context) error {
	var e *engine.Error
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &e) {
		return e
	}
	return nil
}

// endLogStream writes why Hold ended ctx, if it did, as the last event.
func endLogStream(ctx context.Context, enc *json.Encoder) {
	if cause := endedBy(ctx); cause != nil {
		_ = enc.Encode(api.LogEvent{Type: "error", Error: apiError(cause)})
	}
}

// closeWS tells the client why the server ends the stream, when it says:
// an "error" event, then a policy-violation close frame with the reason.
func closeWS(conn *websocket.Conn, cause error) {
	if cause == nil {
		return
	}
	_ = writeWS(conn, api.LogEvent{Type: "error", Error: apiError(cause)})
	msg := websocket.FormatCloseMessage(websocket.ClosePolicyViolation, closeReason(engine.ErrorMessage(cause)))
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(logWriteWait))
}

// closeReason is msg cut to fit a close frame (at most 123 bytes).
func closeReason(msg string) string {
	const max = 120
	if len(msg) > max {
		return msg[:max]
	}
	return msg
}
