package notify

import (
	"net/url"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Body formats of a webhook target.
const (
	// FormatJSON posts a Payload.
	FormatJSON = "json"
	// FormatSlack posts {"text": "..."}, which Slack incoming webhooks and
	// compatible receivers (Mattermost, Rocket.Chat, Discord's /slack
	// endpoint) accept.
	FormatSlack = "slack"
)

// MaxURLLen is the longest webhook URL CheckTarget accepts, in bytes.
const MaxURLLen = 2048

// Target is one webhook that receives alerts.
type Target struct {
	// URL is the http or https address the alerts are posted to. It is a
	// secret: only its host is ever logged.
	URL string
	// Format is FormatJSON or FormatSlack.
	Format string
	// App is the app whose events the target receives; "" makes the target
	// server-wide: it receives the events of every app and the server's own.
	App string
}

// Host returns the host (and port, when the URL names one) of t.URL, the
// only part of the URL that is safe to show or log; "(invalid URL)" when
// the URL does not parse.
func (t Target) Host() string {
	u, err := url.Parse(t.URL)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	return u.Host
}

// CheckTarget reports whether t can receive alerts: an http or https URL
// with a host, no user:password@ part and at most MaxURLLen bytes, a known
// Format, and a valid app name when App is set. Failures are *engine.Error
// with code EINVALID and a field ("url", "format" or "app"); their messages
// never repeat the URL.
func CheckTarget(t Target) error {
	if err := checkURL(t.URL); err != nil {
		return err
	}
	if t.Format != FormatJSON && t.Format != FormatSlack {
		return engine.FieldError("format", "webhook format %q is not known: use %q (a JSON object per alert) or %q (a Slack-compatible message)",
			clip(t.Format, 40), FormatJSON, FormatSlack)
	}
	if t.App != "" {
		if err := engine.ValidateAppName(t.App, ""); err != nil {
			return engine.FieldError("app", "%s", engine.ErrorMessage(err))
		}
	}
	return nil
}

// checkURL validates a webhook URL without ever quoting it.
func checkURL(raw string) error {
	if raw == "" {
		return engine.FieldError("url", "webhook URL is empty: give the http or https address of the receiver")
	}
	if len(raw) > MaxURLLen {
		return engine.FieldError("url", "webhook URL is %d bytes long: the limit is %d", len(raw), MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return engine.FieldError("url", "webhook URL is not a valid URL: check it for spaces and stray characters, and percent-encode them")
	}
	return checkURLParts(u)
}

func checkURLParts(u *url.URL) error {
	switch {
	case u.Scheme == "":
		return engine.FieldError("url", "webhook URL has no scheme: write it as https://host/path")
	case u.Scheme != "https" && u.Scheme != "http":
		return engine.FieldError("url", "webhook URL must start with https:// (or http://), not %q", clip(u.Scheme, 20)+":")
	case u.User != nil:
		return engine.FieldError("url", "webhook URL must not hold a user name or password (user:password@host): use a token in the path or query, as the receiver documents")
	case u.Host == "" || u.Hostname() == "":
		return engine.FieldError("url", "webhook URL has no host: write it as https://host/path")
	case strings.HasSuffix(u.Host, ":"):
		return engine.FieldError("url", "webhook URL has an empty port after the host: remove the colon or add the port")
	}
	return nil
}

// clip shortens s to n bytes for quoting in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
