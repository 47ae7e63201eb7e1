package engine

import (
	"context"
	"errors"
	"log/slog"
)

// stepError says which step of a change failed: its Message is "<step>
// failed: <cause's message>", its code the cause's, and it wraps cause so
// ErrorDetail still finds the technical text. A cause that is no *Error
// says only that the detail is in the server log: its text may hold
// internals.
func stepError(step string, cause error) error {
	if cause == nil {
		return nil
	}
	var e *Error
	if !errors.As(cause, &e) {
		return Wrapf(cause, EINTERNAL, "%s failed: an unexpected error; the server log has the detail", step)
	}
	return Wrapf(cause, e.Code, "%s failed: %s", step, e.Message)
}

// writeDetail adds the technical text behind err to out (and so to the
// release output) when it says more than the message the user reads.
func writeDetail(out *progress, err error) {
	if detail := ErrorDetail(err); detail != "" && detail != ErrorMessage(err) {
		out.Info("detail: %s", detail)
	}
}

// reportFailure logs a failed change of app (what: "scale", "destroy") with
// its technical detail, and writes that detail to out when out is not nil.
func (e *Engine) reportFailure(out *progress, what, app string, err error) {
	level := slog.LevelWarn
	if code := ErrorCode(err); code == EINTERNAL || code == EUNAVAILABLE {
		level = slog.LevelError
	}
	e.log.Log(context.Background(), level, what+" failed", "app", app, "err", ErrorMessage(err), "detail", ErrorDetail(err))
	if out != nil {
		writeDetail(out, err)
	}
}
