package dashboard

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// auditData is the audit page's Data.
type auditData struct {
	Entries    []*engine.AuditEntry
	App, Actor string
	// Older links to the next page of older entries, "" on the last.
	Older string
}

// auditPage lists the audit log, newest first, for admins; ?app= and
// ?actor= filter it and ?before= pages back.
func (d *Dashboard) auditPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActReadAudit); err != nil {
		return err
	}
	q := engine.AuditQuery{App: cutText(100, c.QueryParam("app")), Actor: cutText(300, c.QueryParam("actor")), Limit: auditPageSize}
	if b, err := strconv.ParseInt(c.QueryParam("before"), 10, 64); err == nil && b > 0 {
		q.Before = b
	}
	entries, err := d.cfg.Accounts.ListAudit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	data := auditData{Entries: entries, App: q.App, Actor: q.Actor}
	if len(entries) == auditPageSize {
		next := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].ID, 10)}}
		if q.App != "" {
			next.Set("app", q.App)
		}
		if q.Actor != "" {
			next.Set("actor", q.Actor)
		}
		data.Older = "/audit?" + next.Encode()
	}
	v.Title, v.Section, v.Data = "Audit log", "audit", data
	return d.render(c, http.StatusOK, "audit", v)
}
