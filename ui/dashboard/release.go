package dashboard

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// maxOutputBytes is how much of a release's output its page shows: the
// end, which says how it went.
const maxOutputBytes = 120 << 10

// releaseData is the release page's Data.
type releaseData struct {
	Release    *engine.Release
	InProgress bool
	Output     string
	// Omitted is how many bytes at the start of Output are left out.
	Omitted float64
}

// releasePage shows one release: its facts and output, or, while it is
// built and deployed, its live output (with JavaScript).
func (d *Dashboard) releasePage(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(c.Param("number"), "v"))
	if err != nil || n < 1 {
		return engine.Errorf(engine.ENOTFOUND, "there is no release %q: releases are numbered v1, v2, ...", c.Param("number"))
	}
	ctx := c.Request().Context()
	rel, err := d.release(ctx, app.Name, n)
	if err != nil {
		return err
	}
	if rel == nil {
		return engine.Errorf(engine.ENOTFOUND, "%s has no release v%d", app.Name, n)
	}
	data := releaseData{Release: rel, InProgress: rel.Status == engine.ReleaseBuilding || rel.Status == engine.ReleaseDeploying}
	if !data.InProgress {
		out, err := d.cfg.Engine.ReleaseOutput(ctx, app.Name, n)
		if err != nil {
			return err
		}
		data.Output, data.Omitted = tail(engine.PlainText(out), maxOutputBytes)
	}
	v.Title, v.Data = app.Name+" v"+strconv.Itoa(n), data
	return d.render(c, http.StatusOK, "release", v)
}

// tail returns the last lines of s that take at most max bytes once
// escaped for HTML, and how many bytes it left out.
func tail(s string, max int) (string, float64) {
	cut, size := len(s), 0
	for cut > 0 {
		start := strings.LastIndexByte(s[:cut-1], '\n') + 1
		size += len(template.HTMLEscapeString(s[start:cut]))
		if size > max {
			break
		}
		cut = start
	}
	if cut == len(s) && s != "" { // one line too long to show whole: its end
		cut = len(s) - min(len(s), max/6)
		for cut < len(s) && s[cut]&0xC0 == 0x80 {
			cut++
		}
	}
	return s[cut:], float64(cut)
}

// sortContainers orders containers by process type and replica.
func sortContainers(cs []*engine.Container) {
	slices.SortFunc(cs, func(a, b *engine.Container) int {
		return cmp.Or(cmp.Compare(a.Process, b.Process), cmp.Compare(a.Replica, b.Replica), cmp.Compare(a.Release, b.Release))
	})
}
