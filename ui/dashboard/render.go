package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html templates/actions/*.html
var templateFS embed.FS

// loadPages parses each page template together with the layout, the
// shared partials and the action partials (templates/actions: the
// controls pages include). The page is executed through "layout".
func loadPages() map[string]*template.Template {
	base := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFS,
		"templates/layout.html", "templates/partials.html", "templates/previews_partial.html", "templates/cron_partial.html", "templates/addons_partial.html", "templates/actions/*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" || strings.HasSuffix(name, "_partial") {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

// render writes page with v as an HTML answer with status.
func (d *Dashboard) render(c echo.Context, status int, page string, v *view) error {
	var buf bytes.Buffer
	if err := d.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		d.log.Error("render dashboard page", "page", page, "err", err)
		return c.String(http.StatusInternalServerError, "The page could not be shown: this is a bug in Quayside.")
	}
	return c.HTMLBlob(status, buf.Bytes())
}
