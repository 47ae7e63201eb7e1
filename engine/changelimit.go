package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// How often one user may create apps and change custom domains. Each
// costs the server work, and a domain change may order a certificate: a
// user who removes and adds domains in a loop could otherwise run the
// server into Let's Encrypt's rate limits. Admins and the control socket
// are not limited.
const (
	MaxAppCreatesPerHour    = 20
	MaxDomainChangesPerHour = 30
)

// changeLimits counts app creations and domain changes per user in a
// sliding hour.
type changeLimits struct {
	apps, domains *throttle
}

func newChangeLimits() changeLimits {
	return changeLimits{
		apps:    newThrottle(MaxAppCreatesPerHour, time.Hour),
		domains: newThrottle(MaxDomainChangesPerHour, time.Hour),
	}
}

// limitChange counts one change by ctx's user against th and refuses it
// with ETOOMANY once the user made max of them in the last hour, saying
// when to try again (Error.RetryAfter). Calls without an identity (the
// engine's own work), on the control socket or by an admin pass
// uncounted.
func (e *Engine) limitChange(ctx context.Context, th *throttle, what string) error {
	id, ok := IdentityFrom(ctx)
	if !ok || id.Via == "socket" || id.Role == RoleAdmin {
		return nil
	}
	key := id.User
	if key == "" {
		key = id.Via + ":" + id.Name
	}
	wait, _ := th.take(key, e.now())
	if wait <= 0 {
		return nil
	}
	wait = wait.Round(time.Second) + time.Second
	return &Error{Code: ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
		"too many %s: a user may make %d an hour. Try again in %s, or ask an admin", what, th.max, retryText(wait))}
}

// retryText writes a wait in minutes, or seconds under a minute.
func retryText(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int(d/time.Second))
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// ErrorRetryAfter returns how long the caller should wait before trying
// again, for an ETOOMANY error; 0 otherwise.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
