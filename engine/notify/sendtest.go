package notify

import (
	"context"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// Test sends one test notification (kind KindTest) to t and waits for the
// answer: one attempt, no retry, bounded by Config.Timeout. It needs no
// Run. A target that fails CheckTarget gets its EINVALID error; a refusal
// (3xx, 4xx other than 408 and 429) is EINVALID and a failing or
// unreachable receiver EUNAVAILABLE, with a message that names the host
// and the status, never the URL.
func (n *Notifier) Test(ctx context.Context, t Target) error {
	if err := CheckTarget(t); err != nil {
		return err
	}
	ev := engine.Event{Kind: KindTest, App: t.App, Time: n.cfg.Now(), Message: "alerts reach this webhook"}
	body, err := n.render(t.Format, ev)
	if err != nil {
		return fmt.Errorf("test webhook: %w", err)
	}
	out := n.post(ctx, t, body)
	if out.err == nil {
		return nil
	}
	return testError(t, out)
}

// testError says why a test notification failed and what to do.
func testError(t Target, out outcome) error {
	host := t.Host()
	switch {
	case out.status == 0:
		return engine.Errorf(engine.EUNAVAILABLE, "could not reach the webhook at %s: %v: check the URL and that the receiver is up", host, out.err)
	case !out.retry:
		return engine.Errorf(engine.EINVALID, "the webhook at %s refused the test notification: it %v: check the URL (and, for Slack, that the webhook still exists)", host, out.err)
	}
	return engine.Errorf(engine.EUNAVAILABLE, "the webhook at %s did not take the test notification: it %v: the receiver is failing; try again later", host, out.err)
}
