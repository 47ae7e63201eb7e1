package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listDomains(c echo.Context) error {
	ds, err := s.cfg.Engine.Domains(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	out := api.DomainList{Domains: make([]api.Domain, 0, len(ds))}
	for _, d := range ds {
		out.Domains = append(out.Domains, api.Domain{Host: d.Host, Default: d.Default, Cert: certJSON(d.Cert)})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) addDomain(c echo.Context) error {
	var in api.AddDomain
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	d, err := s.cfg.Engine.AddDomain(c.Request().Context(), c.Param("app"), in.Host)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, api.Domain{Host: d.Host, Cert: api.Certificate{State: engine.CertPending}})
}

func (s *Server) removeDomain(c echo.Context) error {
	if err := s.cfg.Engine.RemoveDomain(c.Request().Context(), c.Param("app"), c.Param("host")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func certJSON(st engine.CertStatus) api.Certificate {
	return api.Certificate{
		State: st.State, Issuer: st.Issuer, LastError: st.LastError,
		NotAfter: timePtr(st.NotAfter), RenewAt: timePtr(st.RenewAt), LastErrorAt: timePtr(st.LastErrorAt),
	}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// caRoot serves the local CA's root certificate, for `quayside ca export`.
func (s *Server) caRoot(c echo.Context) error {
	if s.cfg.CARoot == nil {
		return engine.Errorf(engine.ENOTFOUND, "this server uses a public certificate authority: there is no local CA to export")
	}
	pem := s.cfg.CARoot()
	if len(pem) == 0 {
		return engine.Errorf(engine.ENOTFOUND, "this server uses a public certificate authority: there is no local CA to export")
	}
	return c.Blob(http.StatusOK, "application/x-pem-file", pem)
}
