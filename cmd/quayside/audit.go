package main

import (
	"fmt"
	"time"

	"github.com/quayside/quayside/ui/api"
)

type auditCmd struct {
	App    string        `name:"for-app" help:"Only entries about this app."`
	User   string        `help:"Only entries by this user (e-mail or key name)."`
	Since  time.Duration `help:"Only entries newer than this, such as 24h."`
	Limit  int           `short:"n" default:"50" help:"How many entries (at most 1000)."`
	Before int64         `help:"Entries older than this ID (the next page)."`
	JSON   bool          `help:"Print JSON."`
}

func (c *auditCmd) Run(g *globals) error {
	if c.Limit < 1 || c.Limit > 1000 {
		return fieldErr("n", "-n must be from 1 to 1000")
	}
	if c.Since < 0 {
		return fieldErr("since", "--since must not be negative")
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	page, err := cl.Audit(g.ctx, api.AuditQuery{App: c.App, User: c.User, Since: c.Since, Before: c.Before, Limit: c.Limit})
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(page)
	}
	w := table("ID", "WHEN", "WHO", "ACTION", "APP", "TARGET", "FROM", "RESULT", "DETAIL")
	for _, e := range page.Entries {
		result := "ok"
		if !e.Success {
			result = "refused"
		}
		row(w, e.ID, e.Time.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, orDash(e.App), orDash(e.Target), orDash(e.From), result, e.Detail)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if page.NextBefore > 0 {
		fmt.Printf("More: quayside audit --before %d\n", page.NextBefore)
	}
	return nil
}
