package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listAppAlerts(c echo.Context) error    { return s.listWebhooks(c, c.Param("app")) }
func (s *Server) listServerAlerts(c echo.Context) error { return s.listWebhooks(c, "") }
func (s *Server) setAppAlerts(c echo.Context) error     { return s.setWebhooks(c, c.Param("app")) }
func (s *Server) setServerAlerts(c echo.Context) error  { return s.setWebhooks(c, "") }

func (s *Server) listWebhooks(c echo.Context, app string) error {
	hooks, err := s.cfg.Engine.Webhooks(c.Request().Context(), app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhooksJSON(hooks))
}

func (s *Server) setWebhooks(c echo.Context, app string) error {
	var in api.WebhookList
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	hooks := make([]engine.Webhook, 0, len(in.Webhooks))
	for _, w := range in.Webhooks {
		hooks = append(hooks, engine.Webhook{URL: w.URL, Format: w.Format})
	}
	if err := s.cfg.Engine.SetWebhooks(c.Request().Context(), app, hooks); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhooksJSON(hooks))
}

// webhooksJSON shows webhooks with their URLs: they may hold secrets, so
// only those who may change them reach this (the routes' rules).
func webhooksJSON(hooks []engine.Webhook) api.WebhookList {
	out := api.WebhookList{Webhooks: make([]api.Webhook, 0, len(hooks))}
	for _, w := range hooks {
		out.Webhooks = append(out.Webhooks, api.Webhook{URL: w.URL, Format: w.Format})
	}
	return out
}

// testAlert sends one test alert and says how the receiver answered.
func (s *Server) testAlert(c echo.Context) error {
	var in api.Webhook
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	w := engine.Webhook{URL: in.URL, Format: in.Format}
	if err := engine.ValidateWebhook(&w); err != nil {
		return err
	}
	if s.cfg.TestWebhook == nil {
		return engine.Errorf(engine.ENOTIMPLEMENTED, "this server sends no alerts")
	}
	if err := s.cfg.TestWebhook(c.Request().Context(), w); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
