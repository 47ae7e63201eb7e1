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
func (s *Server) testAppAlert(c echo.Context) error     { return s.testAlert(c, c.Param("app")) }
func (s *Server) testServerAlert(c echo.Context) error  { return s.testAlert(c, "") }

// listWebhooks shows the webhooks; the engine leaves the URLs out for
// callers who may not change them.
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
	if err := s.checkNewWebhooks(c, app, hooks); err != nil {
		return err
	}
	if err := s.cfg.Engine.SetWebhooks(c.Request().Context(), app, hooks); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, webhooksJSON(hooks))
}

// checkNewWebhooks runs CheckWebhook on the hooks not already stored, so
// that those an admin allowed before keep working when the list changes.
func (s *Server) checkNewWebhooks(c echo.Context, app string, hooks []engine.Webhook) error {
	if s.cfg.CheckWebhook == nil {
		return nil
	}
	old, err := s.cfg.Engine.Webhooks(c.Request().Context(), app)
	if err != nil {
		return err
	}
	stored := map[string]bool{}
	for _, w := range old {
		stored[w.URL] = true
	}
	for _, w := range hooks {
		if stored[w.URL] {
			continue
		}
		if err := s.cfg.CheckWebhook(w); err != nil {
			return err
		}
	}
	return nil
}

// webhooksJSON shows webhooks as the engine gave them: with their URLs
// for those who may change them, with their hosts only for others.
func webhooksJSON(hooks []engine.Webhook) api.WebhookList {
	out := api.WebhookList{Webhooks: make([]api.Webhook, 0, len(hooks))}
	for _, w := range hooks {
		host := w.Host
		if host == "" {
			host = engine.WebhookHost(w.URL)
		}
		out.Webhooks = append(out.Webhooks, api.Webhook{URL: w.URL, Host: host, Format: w.Format})
	}
	return out
}

// testAlert sends one test alert for app ("" for the server) and says
// whether the receiver took it: only a caller who may change app's
// webhooks (the server's: an admin) may send one.
func (s *Server) testAlert(c echo.Context, app string) error {
	var in api.Webhook
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.cfg.Engine.AuthorizeWebhookTest(ctx, app); err != nil {
		return err
	}
	w := engine.Webhook{URL: in.URL, Format: in.Format}
	if err := engine.ValidateWebhook(&w); err != nil {
		return err
	}
	if s.cfg.TestWebhook == nil {
		return engine.Errorf(engine.ENOTIMPLEMENTED, "this server sends no alerts")
	}
	delivered, reason, err := s.cfg.TestWebhook(ctx, app, w)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.WebhookTestResult{Delivered: delivered, Reason: reason})
}
