package dashboard

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// domainsData is the domains page's Data.
type domainsData struct {
	Domains   []domainRow
	CanChange bool
}

// domainRow is one host of the app and the URL it answers at.
type domainRow struct {
	engine.AppDomain
	URL string
}

func (d *Dashboard) domainsPage(c echo.Context, v *view) error {
	if _, err := d.loadApp(c, v, "domains"); err != nil {
		return err
	}
	return d.renderDomains(c, v, http.StatusOK)
}

func (d *Dashboard) renderDomains(c echo.Context, v *view, status int) error {
	ds, err := d.cfg.Engine.Domains(c.Request().Context(), v.App.Name)
	if err != nil {
		return err
	}
	v.Title = v.App.Name + " domains"
	data := domainsData{Domains: make([]domainRow, 0, len(ds)), CanChange: v.Can(engine.ActDomains)}
	for _, dom := range ds {
		data.Domains = append(data.Domains, domainRow{AppDomain: dom, URL: d.links.HostURL(dom.Host) + "/"})
	}
	v.Data = data
	return d.render(c, status, "domains", v)
}

// addDomain routes a custom host to the app.
func (d *Dashboard) addDomain(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "domains")
	if err != nil {
		return err
	}
	host := strings.ToLower(strings.TrimSpace(c.FormValue("host")))
	v.Form.Set("host", host)
	_, err = d.cfg.Engine.AddDomain(c.Request().Context(), app.Name, host)
	switch engine.ErrorCode(err) {
	case "":
		return redirectDone(c, appPath(app.Name, "domains"), "domain-added")
	case engine.EINVALID, engine.ECONFLICT:
		v.Fields["host"] = sentence(engine.ErrorMessage(err))
		return d.renderDomains(c, v, engine.HTTPStatus(err))
	}
	return err
}

// removeDomain stops routing a custom host to the app, once confirmed.
func (d *Dashboard) removeDomain(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "domains")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDomains); err != nil {
		return err
	}
	host := c.FormValue("host")
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Remove " + host + " from " + app.Name + "?", Detail: "It stops routing to the app at once.",
			Action: appPath(app.Name, "domains", "remove"), Fields: map[string]string{"host": host},
			Button: "Remove", Cancel: appPath(app.Name, "domains"),
		}
		return d.render(c, http.StatusOK, "confirm", v)
	}
	if err := d.cfg.Engine.RemoveDomain(c.Request().Context(), app.Name, host); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name, "domains"), "domain-removed")
}
