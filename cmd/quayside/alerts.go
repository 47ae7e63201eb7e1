package main

import (
	"fmt"
	"net/url"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type alertsCmd struct {
	List   alertsListCmd   `cmd:"" default:"withargs" help:"List the webhooks of the server, or of an app with --for-app."`
	Add    alertsAddCmd    `cmd:"" help:"Send alerts to a webhook."`
	Remove alertsRemoveCmd `cmd:"" help:"Stop sending alerts to a webhook."`
	Test   alertsTestCmd   `cmd:"" help:"Send a test alert to a webhook now."`
}

type alertsTestCmd struct {
	URL    string `arg:"" help:"The webhook URL."`
	Format string `default:"json" enum:"json,slack" help:"json or slack."`
	App    string `name:"for-app" help:"Test a webhook of this app (needs the right to change its alerts); without it, a server-wide webhook (admins)."`
}

// Run prints "delivered", or fails with "not delivered: <why>".
func (c *alertsTestCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	res, err := cl.TestWebhook(g.ctx, c.App, api.Webhook{URL: c.URL, Format: c.Format})
	if err != nil {
		return err
	}
	if !res.Delivered {
		return engine.Errorf(engine.EUNAVAILABLE, "not delivered: %s", engine.CleanText(res.Reason))
	}
	fmt.Printf("delivered: %s took the test alert.\n", maskURL(c.URL))
	return nil
}

type alertsListCmd struct {
	App  string `name:"for-app" help:"The app's webhooks instead of the server's."`
	JSON bool   `help:"Print JSON."`
}

func (c *alertsListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	hooks, err := cl.Webhooks(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(hooks)
	}
	if len(hooks) == 0 {
		fmt.Println("No webhooks. Add one with: quayside alerts add https://hooks.example.com/... [--format slack] [--for-app APP]")
		return nil
	}
	w := table("FORMAT", "HOST")
	for _, h := range hooks {
		row(w, h.Format, engine.CleanText(h.Host))
	}
	return w.Flush()
}

type alertsAddCmd struct {
	URL    string `arg:"" help:"The webhook URL (http or https)."`
	Format string `default:"json" enum:"json,slack" help:"json (plain) or slack (a Slack-compatible body)."`
	App    string `name:"for-app" help:"Only this app's alerts (default: every app and the server's own)."`
}

func (c *alertsAddCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	hooks, err := cl.Webhooks(g.ctx, c.App)
	if err != nil {
		return err
	}
	hooks = append(hooks, api.Webhook{URL: c.URL, Format: c.Format})
	if err := cl.SetWebhooks(g.ctx, c.App, hooks); err != nil {
		return err
	}
	fmt.Printf("Alerts go to %s (%s) now: deploy failed, crash loop, disk filling up, certificate renewal failing.\n", maskURL(c.URL), c.Format)
	return nil
}

type alertsRemoveCmd struct {
	URL string `arg:"" help:"The webhook URL, as alerts list --json shows it."`
	App string `name:"for-app" help:"Remove from this app's webhooks."`
}

func (c *alertsRemoveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	hooks, err := cl.Webhooks(g.ctx, c.App)
	if err != nil {
		return err
	}
	kept := hooks[:0]
	for _, h := range hooks {
		if h.URL != c.URL {
			kept = append(kept, h)
		}
	}
	if len(kept) == len(hooks) {
		return fieldErr("url", "no webhook %s: `quayside alerts` lists them", c.URL)
	}
	if err := cl.SetWebhooks(g.ctx, c.App, kept); err != nil {
		return err
	}
	fmt.Printf("Removed %s.\n", maskURL(c.URL))
	return nil
}

// maskURL shows a webhook URL without its path and query, which often
// hold its secret (Slack's do); --json prints it whole.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	if u.Path == "" && u.RawQuery == "" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/..."
}
