package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// HealthChecker probes a container once.
type HealthChecker interface {
	// Check returns nil when the app at addr ("host:port") answers path in a
	// way that counts as healthy.
	Check(ctx context.Context, addr, path string) error
}

// HTTPHealthChecker counts any HTTP answer below 500 as healthy.
type HTTPHealthChecker struct {
	Client *http.Client
}

// NewHTTPHealthChecker returns a checker whose probes time out after 2s and
// never follow redirects (a redirect is an answer, and so healthy).
func NewHTTPHealthChecker() *HTTPHealthChecker {
	return &HTTPHealthChecker{Client: &http.Client{
		Timeout: 2 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Transport: &http.Transport{DisableKeepAlives: true},
	}}
}

// Check implements HealthChecker.
func (h *HTTPHealthChecker) Check(ctx context.Context, addr, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return fmt.Errorf("build health request: %w", err)
	}
	req.Header.Set("User-Agent", "Quayside-HealthCheck")
	resp, err := h.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("GET %s answered %d", path, resp.StatusCode)
	}
	return nil
}

// healthPollInterval is how often a booting release is probed.
const healthPollInterval = 200 * time.Millisecond

// waitHealthy probes c until it is healthy, it stops running, or hc.Timeout
// passes. The error says which, in words for the pusher.
func (e *Engine) waitHealthy(ctx context.Context, c *Container, hc HealthCheck, out *progress) error {
	ctx, cancel := context.WithTimeout(ctx, hc.Timeout)
	defer cancel()
	out.Step("Waiting for %s to answer GET %s (timeout %s)", c.Name, hc.Path, hc.Timeout)
	tick := time.NewTicker(healthPollInterval)
	defer tick.Stop()
	start, nextNote := time.Now(), 5*time.Second
	var lastErr error
	for {
		cur, err := e.cfg.Runtime.Inspect(ctx, c.ID)
		if err == nil {
			if crashed := crashReason(cur); crashed != "" {
				return Errorf(EDEPLOYFAILED, "%s.%d of the new release %s", c.Process, c.Replica, crashed)
			}
			if lastErr = e.cfg.Health.Check(ctx, cur.Addr, hc.Path); lastErr == nil {
				out.Info("healthy after %.1fs", time.Since(start).Seconds())
				return nil
			}
		}
		if waited := time.Since(start); waited >= nextNote {
			out.Info("still waiting after %s...", waited.Round(time.Second))
			nextNote += 5 * time.Second
		}
		select {
		case <-ctx.Done():
			return healthTimeoutError(ctx, hc, lastErr)
		case <-tick.C:
		}
	}
}

// crashReason says why a booting container is not going to become healthy,
// or "" if it may still.
func crashReason(c *Container) string {
	switch {
	case c.ExitCode == exitKilled:
		return fmt.Sprintf("was killed while booting (exit code %d), most often because it ran out of memory: "+
			"raise its memory limit with `quayside ps limits %s %s memory=1G`", c.ExitCode, c.App, c.Process)
	case c.RestartCount > 0:
		return fmt.Sprintf("crashed while booting and was restarted %d time(s)", c.RestartCount)
	case !c.Running && (c.State == "exited" || c.State == "dead"):
		return fmt.Sprintf("exited while booting (exit code %d)", c.ExitCode)
	}
	return ""
}

func healthTimeoutError(ctx context.Context, hc HealthCheck, lastErr error) error {
	if ctx.Err() == context.DeadlineExceeded {
		msg := fmt.Sprintf("the new release did not pass its health check (GET %s) within %s", hc.Path, hc.Timeout)
		if lastErr != nil {
			msg += ": " + lastErr.Error()
		}
		return &Error{Code: EDEPLOYFAILED, Message: msg + ". Make the app listen on $PORT and answer that path, or change the check with `quayside checks set`."}
	}
	return Errorf(EDEPLOYFAILED, "the deploy was cancelled while waiting for the health check")
}
