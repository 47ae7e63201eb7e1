package certs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
)

// trackedEvents are the certmagic events onEvent handles; certmagic skips
// building the others (one is emitted at every handshake).
var trackedEvents = map[string]bool{"cert_obtaining": true, "cert_obtained": true, "cert_failed": true}

// onEvent follows certmagic's attempts. It refuses (without retries) any
// attempt for a host Allowed no longer accepts.
func (a *acmeCerts) onEvent(ctx context.Context, event string, data map[string]any) error {
	host, _ := data["identifier"].(string)
	renewal, _ := data["renewal"].(bool)
	switch event {
	case "cert_obtaining":
		if !a.m.isWildcard(host) && !a.m.cfg.Allowed(host) {
			return certmagic.ErrNoRetry{Err: fmt.Errorf("%s is not served by this server any more", host)}
		}
		a.m.state.attemptStarted(host)
	case "cert_failed":
		a.failed(host, renewal, data["error"])
	case "cert_obtained":
		a.m.log.Info("certificate obtained", "host", host, "renewal", renewal)
		a.m.state.attemptSucceeded(host)
		if renewal {
			a.reloadRenewed(ctx, host, data)
		}
	}
	return nil
}

func (a *acmeCerts) failed(host string, renewal bool, v any) {
	err, _ := v.(error)
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	msg := explain(host, err, a.m.cfg.ServerAddrs)
	if msg == rateLimited {
		msg = withCause(msg, a.m.state.lastError(host))
	}
	if renewal {
		msg = renewalFailed + msg
	}
	a.m.log.Warn("certificate attempt failed", "host", host, "renewal", renewal, "reason", msg, "err", err)
	a.m.state.attemptFailed(host, msg, time.Now())
}

// reloadRenewed records a renewed certificate (certmagic swaps it into
// memory right after this event) from what was just stored.
func (a *acmeCerts) reloadRenewed(ctx context.Context, host string, data map[string]any) {
	key, _ := data["certificate_path"].(string)
	pemData, err := a.magic.Storage.Load(ctx, key)
	if err != nil {
		a.m.log.Warn("reading renewed certificate", "host", host, "err", err)
		return
	}
	leaf, err := firstCertificate(pemData)
	if err != nil {
		a.m.log.Warn("reading renewed certificate", "host", host, "err", err)
		return
	}
	a.m.state.loaded(host, describeLeaf(leaf, ratioRenewAt(leaf)))
}

// withCause keeps, in a rate-limit message, the failure that led to the
// limit: it is what the user has to fix.
func withCause(msg, prev string) string {
	switch {
	case prev == "":
		return msg
	case strings.HasPrefix(strings.TrimPrefix(prev, renewalFailed), rateLimited):
		return strings.TrimPrefix(prev, renewalFailed)
	}
	return msg + "; before that: " + strings.TrimPrefix(prev, renewalFailed)
}

const renewalFailed = "renewing the certificate failed: "
