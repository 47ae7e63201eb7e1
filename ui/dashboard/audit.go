package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// maxAuditPage is the furthest page ?page= reaches: each page back is one
// more read, so the walk is bounded; older entries are reached with the
// "Older entries" links.
const maxAuditPage = 100

// auditData is the audit page's Data.
type auditData struct {
	Entries    []*engine.AuditEntry
	App, Actor string
	// Page is the page number shown when ?page= asked for one, else 0.
	Page int
	// Beyond is the page ?page= asked for when the log has fewer.
	Beyond int
	// TooFar is the page ?page= asked for past maxAuditPage.
	TooFar int
	// MaxPage is maxAuditPage, for the page that says so.
	MaxPage int
	// Older links to the next page of older entries, "" on the last.
	Older string
}

// auditPage lists the audit log, newest first, for admins; ?app= and
// ?actor= filter it, ?before= pages back from an entry and ?page= counts
// pages from the newest (up to maxAuditPage). A page past the end shows
// the last one and says so.
func (d *Dashboard) auditPage(c echo.Context, v *view) error {
	if err := d.authorize(c, v, engine.ActReadAudit); err != nil {
		return err
	}
	q := engine.AuditQuery{App: cutText(100, c.QueryParam("app")), Actor: cutText(300, c.QueryParam("actor")), Limit: auditPageSize}
	if b, err := strconv.ParseInt(c.QueryParam("before"), 10, 64); err == nil && b > 0 {
		q.Before = b
	}
	data := auditData{App: q.App, Actor: q.Actor, MaxPage: maxAuditPage}
	var err error
	if n := pageParam(c); n > 1 && q.Before == 0 {
		data.Entries, data.Page, err = d.auditWalk(c.Request().Context(), q, min(n, maxAuditPage))
		switch {
		case data.Page < min(n, maxAuditPage):
			data.Beyond = n
		case n > maxAuditPage:
			data.TooFar = n
		}
	} else {
		data.Entries, err = d.cfg.Accounts.ListAudit(c.Request().Context(), q)
	}
	if err != nil {
		return err
	}
	if len(data.Entries) == auditPageSize {
		data.Older = olderAudit(q, data.Entries[len(data.Entries)-1].ID)
	}
	v.Title, v.Section, v.Data = "Audit log", "audit", data
	return d.render(c, http.StatusOK, "audit", v)
}

// auditWalk reads page n of the audit log, counted from the newest, and
// returns it with its number: the last page, and its number, when the log
// has fewer than n.
func (d *Dashboard) auditWalk(ctx context.Context, q engine.AuditQuery, n int) ([]*engine.AuditEntry, int, error) {
	var shown []*engine.AuditEntry
	page := 0
	for page < n {
		entries, err := d.cfg.Accounts.ListAudit(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		if len(entries) == 0 && page > 0 {
			break
		}
		shown, page = entries, page+1
		if len(entries) < auditPageSize {
			break
		}
		q.Before = entries[len(entries)-1].ID
	}
	return shown, page, nil
}

// olderAudit links to the entries older than the entry before, with the
// filters of q.
func olderAudit(q engine.AuditQuery, before int64) string {
	next := url.Values{"before": {strconv.FormatInt(before, 10)}}
	if q.App != "" {
		next.Set("app", q.App)
	}
	if q.Actor != "" {
		next.Set("actor", q.Actor)
	}
	return "/audit?" + next.Encode()
}
