package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// maskedValue replaces config values in listings unless they are revealed.
const maskedValue = "••••••••"

func (s *Server) getConfig(c echo.Context) error {
	cv, err := s.cfg.Engine.Config(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	reveal := c.QueryParam("reveal") == "true"
	if reveal && fromAnotherSite(c.Request()) {
		return errRevealElsewhere
	}
	if reveal && s.cfg.Accounts != nil {
		if err := s.cfg.Accounts.Authorize(c.Request().Context(), identity(c), engine.ActRevealConfig, c.Param("app")); err != nil {
			s.auditDenial(c, engine.ActRevealConfig, err)
			return err
		}
		s.auditReveal(c)
	}
	out := api.Config{Version: cv.Version, Vars: make(map[string]string, len(cv.Vars)), Masked: !reveal,
		RuntimeOnly: append([]string{}, cv.RuntimeOnly...)}
	for k, v := range cv.Vars {
		if !reveal {
			v = maskedValue
		}
		out.Vars[k] = v
	}
	return c.JSON(http.StatusOK, out)
}

var errRevealElsewhere = engine.Errorf(engine.EFORBIDDEN,
	"config values are not revealed to a request made from another site's page: use the dashboard, or the API with a token (quayside config --reveal)")

// fromAnotherSite reports whether the browser says r was started by a page
// of another site, an app's sibling host included (Sec-Fetch-Site), whose
// <img> or link carries the session cookie.
func fromAnotherSite(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "cross-site" || site == "same-site"
}

func (s *Server) changeConfig(c echo.Context) error {
	var in api.ConfigChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamRelease(c, func(out *streamWriter) (*engine.Release, error) {
		return s.cfg.Engine.SetConfig(c.Request().Context(), engine.ConfigChange{
			App: c.Param("app"), Set: in.Set, Unset: in.Unset, RuntimeOnly: in.RuntimeOnly,
			Author: actor(c), Output: out,
			ProductionOnly: in.ProductionOnly, Previews: in.Previews,
		})
	})
}

// auditReveal records that the caller read every config value of the
// app, as the dashboard records a value revealed.
func (s *Server) auditReveal(c echo.Context) {
	entry := engine.AuditEntry{Action: string(engine.ActRevealConfig), App: c.Param("app"), Target: "*", Success: true}
	if err := s.cfg.Accounts.Audit(c.Request().Context(), entry); err != nil {
		s.log.Error("write audit entry", "action", entry.Action, "err", err)
	}
}
