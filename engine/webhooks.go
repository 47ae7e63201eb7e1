package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Webhook is where alerts (deploy failed, crash loop, disk, certificates)
// are sent: a URL and the body's format.
type Webhook struct {
	// URL is a secret (a Slack URL is its own credential): Webhooks leaves
	// it empty for callers who may not change the webhooks.
	URL string `json:"url"`
	// Format is WebhookJSON or WebhookSlack.
	Format string `json:"format"`
	// Host is the URL's host (and port), the part anyone who may see the
	// webhooks is shown. Webhooks sets it; it is not stored.
	Host string `json:"-"`
}

// WebhookHost returns the host (and port) of a webhook URL, "" when it
// has none.
func WebhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// Webhook body formats.
const (
	WebhookJSON  = "json"
	WebhookSlack = "slack"
)

// MaxWebhooks bounds the webhooks of the server and of each app.
const MaxWebhooks = 10

// maxWebhookURL bounds a webhook URL.
const maxWebhookURL = 2048

// ValidateWebhook checks a webhook: an http or https URL with a host and
// no user info, and a known format ("" means json).
func ValidateWebhook(w *Webhook) error {
	if w.Format == "" {
		w.Format = WebhookJSON
	}
	if w.Format != WebhookJSON && w.Format != WebhookSlack {
		return FieldError("format", "unknown webhook format %q: use json or slack", w.Format)
	}
	if len(w.URL) > maxWebhookURL {
		return FieldError("url", "the webhook URL is longer than %d characters", maxWebhookURL)
	}
	u, err := url.Parse(strings.TrimSpace(w.URL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") {
		return FieldError("url", "the webhook URL must be an http:// or https:// URL with a host, such as https://hooks.slack.com/services/...")
	}
	if u.User != nil {
		return FieldError("url", "put no user name or password in the webhook URL: use a secret path or query instead")
	}
	w.URL = u.String()
	return nil
}

// webhookSetting is the setting that keeps the webhooks of app ("" for
// the server).
func webhookSetting(app string) string {
	if app == "" {
		return "webhooks"
	}
	return "webhooks:" + app
}

// Webhooks returns the webhooks of app, or of the server when app is "",
// each with its Host set. Callers who may read the app but not change its
// webhooks (viewers) get them without their URLs: the host only.
func (e *Engine) Webhooks(ctx context.Context, app string) ([]Webhook, error) {
	if err := e.authorizeWebhooks(ctx, ActReadApp, app); err != nil {
		return nil, err
	}
	hooks, err := e.webhooks(ctx, app)
	if err != nil {
		return nil, err
	}
	reveal := e.mayChangeWebhooks(ctx, app)
	for i := range hooks {
		hooks[i].Host = WebhookHost(hooks[i].URL)
		if !reveal {
			hooks[i].URL = ""
		}
	}
	return hooks, nil
}

// mayChangeWebhooks reports whether the caller may change app's webhooks
// (ActSettings; the server's: ActServer). A refusal here is not audited:
// it only hides URLs.
func (e *Engine) mayChangeWebhooks(ctx context.Context, app string) bool {
	id, ok := IdentityFrom(ctx)
	if e.cfg.Access == nil || !ok {
		return true
	}
	act := ActSettings
	if app == "" {
		act = ActServer
	}
	return e.cfg.Access.Authorize(ctx, id, act, app) == nil
}

// AuthorizeWebhookTest checks that the caller may send a test alert for
// app: one who may change app's webhooks (ActSettings on an existing app),
// or, for a server-wide test (app ""), one who may change the server's
// (ActServer). ENOTFOUND when the app does not exist.
func (e *Engine) AuthorizeWebhookTest(ctx context.Context, app string) error {
	return e.authorizeWebhooks(ctx, ActSettings, app)
}

func (e *Engine) webhooks(ctx context.Context, app string) ([]Webhook, error) {
	raw, ok, err := e.cfg.Store.Setting(ctx, webhookSetting(app))
	if err != nil || !ok || raw == "" {
		return nil, err
	}
	var hooks []Webhook
	if err := json.Unmarshal([]byte(raw), &hooks); err != nil {
		return nil, Errorf(EINTERNAL, "the stored webhooks of %q are unreadable: %v", app, err)
	}
	return hooks, nil
}

// SetWebhooks replaces the webhooks of app (the server's when app is "").
func (e *Engine) SetWebhooks(ctx context.Context, app string, hooks []Webhook) (err error) {
	if err := e.authorizeWebhooks(ctx, ActSettings, app); err != nil {
		return err
	}
	if len(hooks) > MaxWebhooks {
		return FieldError("webhooks", "at most %d webhooks", MaxWebhooks)
	}
	for i := range hooks {
		if err := ValidateWebhook(&hooks[i]); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(hooks)
	if err != nil {
		return err
	}
	defer func() { e.audit(ctx, "webhooks.set", app, "", itoa(len(hooks))+" webhook(s)", err) }()
	return e.cfg.Store.SetSetting(ctx, webhookSetting(app), string(raw))
}

// deleteWebhooks forgets app's webhooks, as its destroy does, so that a
// new app of the same name does not inherit them.
func (e *Engine) deleteWebhooks(ctx context.Context, app string) error {
	if app == "" {
		return nil
	}
	if err := e.cfg.Store.SetSetting(ctx, webhookSetting(app), ""); err != nil {
		return fmt.Errorf("delete webhooks: %w", err)
	}
	return nil
}

// AlertTargets returns where an alert about app goes: the server's
// webhooks and, for an app, its own. It is the engine's own work: no
// identity is checked. Unreadable settings are skipped.
func (e *Engine) AlertTargets(ctx context.Context, app string) []Webhook {
	out, _ := e.webhooks(ctx, "")
	if app != "" {
		own, _ := e.webhooks(ctx, app)
		out = append(out, own...)
	}
	return out
}

// authorizeWebhooks checks act on app's webhooks; the server's are for
// admins (ActServer).
func (e *Engine) authorizeWebhooks(ctx context.Context, act Action, app string) error {
	if app == "" {
		return e.authorize(ctx, ActServer, "")
	}
	if _, err := e.FindApp(ctx, app); err != nil {
		return err
	}
	return e.authorize(ctx, act, app)
}
