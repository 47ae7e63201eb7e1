package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/quayside/quayside/internal/egress"
)

// maxRetryAfter caps how long a Retry-After header can make a worker wait.
const maxRetryAfter = 10 * time.Minute

// outcome is the result of one delivery attempt.
type outcome struct {
	// status is the HTTP status, 0 when no response came.
	status int
	// err is nil on success; it never holds the URL.
	err error
	// retry says whether another attempt may succeed.
	retry      bool
	retryAfter time.Duration
}

// deliver posts d, retrying along the schedule, until it succeeds, fails
// for good or ctx is done.
func (n *Notifier) deliver(ctx context.Context, d delivery) {
	host := d.target.Host()
	for attempt := 0; ; attempt++ {
		out := n.post(ctx, d.target, d.body)
		switch {
		case out.err == nil:
			n.delivered.Add(1)
			n.log.Debug("alert delivered", "host", host, "kind", d.kind, "app", d.app, "attempts", attempt+1)
			return
		case ctx.Err() != nil:
			return
		case !out.retry || attempt >= len(n.cfg.Retry):
			n.failed.Add(1)
			n.log.Warn("alert not delivered: giving up", "host", host, "kind", d.kind, "app", d.app, "attempts", attempt+1, "err", out.err)
			return
		}
		wait := backoff(n.cfg.Retry[attempt], out.retryAfter)
		n.log.Info("alert not delivered: retrying", "host", host, "kind", d.kind, "app", d.app, "in", wait.Round(time.Millisecond), "err", out.err)
		if !sleep(ctx, wait) {
			return
		}
	}
}

// post makes one delivery attempt of body to t.
func (n *Notifier) post(ctx context.Context, t Target, body []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return outcome{err: errors.New("webhook URL is not valid")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Quayside")
	resp, err := n.client.Do(req)
	if err != nil {
		return outcome{err: n.redact(err, t), retry: !refused(err)}
	}
	defer closeBody(resp.Body)
	return classify(resp, t, n.cfg.Now())
}

// classify turns a response into an outcome: 2xx succeeds; 408, 429 and
// 5xx may be retried; anything else fails for good.
func classify(resp *http.Response, t Target, now time.Time) outcome {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return outcome{status: code}
	}
	out := outcome{status: code, err: statusError(resp)}
	if code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 {
		out.retry = true
		out.retryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return out
}

// statusError describes a refusal by its status alone: the receiver's
// body is never quoted, so a request made on a user's behalf cannot read
// what an address answers.
func statusError(resp *http.Response) error {
	msg := "answered " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		msg += " (a redirect, which is not followed)"
	}
	return errors.New(msg)
}

// retryAfter parses a Retry-After header (seconds or an HTTP date);
// 0 when absent or invalid.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// backoff is the wait before the next attempt: the scheduled wait ±20%,
// or the receiver's Retry-After (at most maxRetryAfter) when longer.
func backoff(scheduled, after time.Duration) time.Duration {
	wait := jitter(scheduled)
	return max(wait, min(after, maxRetryAfter))
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// sleep waits for d or ctx, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// redact turns a client error into a short one that names neither the URL
// nor the server's own network details (its resolver, its addresses).
func (n *Notifier) redact(err error, t Target) error {
	var dns *net.DNSError
	var refused *egress.RefusedError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("%v: alerts are not sent to this server or its networks (%s)", refused, allowHint)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("no answer within %s", n.cfg.Timeout)
	case errors.As(err, &dns) && dns.IsNotFound:
		return errors.New("host name not found")
	case errors.As(err, &dns):
		return fmt.Errorf("host name lookup failed: %s", dns.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("connection closed without an answer")
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return errors.New(strings.ReplaceAll(err.Error(), t.URL, t.Host()))
}

// refused reports whether err is the egress policy refusing the address:
// trying again cannot help.
func refused(err error) bool {
	var r *egress.RefusedError
	return errors.As(err, &r)
}

// closeBody drains a little of body, so the connection can be reused, and
// closes it.
func closeBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
