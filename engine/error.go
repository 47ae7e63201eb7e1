package engine

import (
	"errors"
	"fmt"
	"time"
)

// Application error codes. They are the only error vocabulary that crosses
// package boundaries. HTTPStatus (error_status.go) is the one table that
// turns a code into an HTTP status, for the API and the dashboard alike.
const (
	ECONFLICT       = "conflict"        // the action conflicts with current state (name taken, app being destroyed)
	EINTERNAL       = "internal"        // a bug or an unexpected failure of a dependency
	EINVALID        = "invalid"         // the input is malformed; Error.Fields may say which field
	ENOTFOUND       = "not_found"       // the named thing does not exist
	EUNAUTHORIZED   = "unauthorized"    // no valid identity
	EFORBIDDEN      = "forbidden"       // the identity may not do this
	EUNAVAILABLE    = "unavailable"     // a dependency is down or a resource is exhausted; retrying may help
	EDEPLOYFAILED   = "deploy_failed"   // a build or deploy ran and failed; Message says why
	ETOOLARGE       = "too_large"       // the input exceeds a size limit
	ENOTIMPLEMENTED = "not_implemented" // the request names a feature this server does not offer
	ETOOMANY        = "too_many"        // the caller did this too often; Error.RetryAfter says when to try again
)

// Error is an error meant for the user of Quayside. Message is written for
// that user: what went wrong and, where possible, what to do about it.
type Error struct {
	Code    string
	Message string
	// Fields maps an input field name to what is wrong with it.
	Fields map[string]string
	// RetryAfter is how long to wait before trying again (ETOOMANY).
	RetryAfter time.Duration
	// Err is the technical cause behind Message, kept for the daemon log
	// and the release output (ErrorDetail); it is never shown as Message.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the technical cause, so errors.Is and errors.As see it.
func (e *Error) Unwrap() error { return e.Err }

// Wrapf returns an *Error with the given code and formatted message whose
// technical cause is err.
func Wrapf(err error, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorDetail returns the technical text behind err: the cause that the
// *Errors in its chain wrap, or err's own text when nothing is wrapped.
// It is meant for logs and release output, not for Message.
func ErrorDetail(err error) string {
	if err == nil {
		return ""
	}
	for {
		var e *Error
		if !errors.As(err, &e) || e.Err == nil {
			return err.Error()
		}
		err = e.Err
	}
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain. Other errors yield a generic message so internals do not leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the first *Error in err's chain.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
