package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/egress"
)

// allowHint says how an admin lets alerts reach a refused range.
const allowHint = "an admin can allow a range by starting the server with --allow-webhook-to CIDR, such as --allow-webhook-to 10.0.0.0/8"

// TestResult is what became of a test notification.
type TestResult struct {
	// Delivered says the receiver answered 2xx.
	Delivered bool
	// Reason says why it was not delivered: the status the receiver
	// answered, the refused address, a timeout or a DNS failure. It names
	// the host, never the URL, and never quotes the receiver's body.
	Reason string
}

// Test sends one test notification (kind KindTest) to t and waits for the
// answer: one attempt, no retry, bounded by Config.Timeout. It needs no
// Run. A target that fails CheckTarget gets its EINVALID error; every
// other outcome is a TestResult.
func (n *Notifier) Test(ctx context.Context, t Target) (TestResult, error) {
	if err := n.CheckTarget(t); err != nil {
		return TestResult{}, err
	}
	ev := engine.Event{Kind: KindTest, App: t.App, Time: n.cfg.Now(), Message: "alerts reach this webhook"}
	body, err := n.render(t.Format, ev)
	if err != nil {
		return TestResult{}, fmt.Errorf("test webhook: %w", err)
	}
	out := n.post(ctx, t, body)
	if out.err == nil {
		return TestResult{Delivered: true}, nil
	}
	return TestResult{Reason: testReason(t, out)}, nil
}

// testReason says why a test notification failed and what to do.
func testReason(t Target, out outcome) string {
	host := t.Host()
	switch {
	case out.status == 0:
		return fmt.Sprintf("could not reach the webhook at %s: %v", host, out.err)
	case !out.retry:
		return fmt.Sprintf("the webhook at %s %v: check the URL (and, for Slack, that the webhook still exists)", host, out.err)
	}
	return fmt.Sprintf("the webhook at %s %v: the receiver is failing; try again later", host, out.err)
}

// CheckTarget is the package's CheckTarget plus this Notifier's address
// policy for a URL whose host is a literal IP address: one the policy
// refuses is EINVALID on field "url", with a message naming the address
// and the flag that allows it. Host names are judged when dialled.
func (n *Notifier) CheckTarget(t Target) error {
	if err := CheckTarget(t); err != nil {
		return err
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return engine.FieldError("url", "webhook URL is not a valid URL")
	}
	var refused *egress.RefusedError
	if err := n.cfg.Egress.CheckHost(u.Hostname()); errors.As(err, &refused) {
		return engine.FieldError("url", "webhook URL points at %s, a %s address: alerts are not sent to this server or its networks; %s",
			refused.Addr, refused.Why, allowHint)
	}
	return nil
}
