package ui

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// listApps answers a page of the apps the caller sees, by name: ?after=
// (the last name of the previous page) and ?limit= (default and most 500).
func (s *Server) listApps(c echo.Context) error {
	limit, err := queryInt(c, "limit", maxAppsPage, 1, maxAppsPage)
	if err != nil {
		return err
	}
	apps, err := s.cfg.Engine.ListApps(c.Request().Context())
	if err != nil {
		return err
	}
	after := c.QueryParam("after")
	out := api.AppList{Apps: make([]api.App, 0, min(len(apps), limit))}
	for _, a := range apps {
		if a.Name <= after {
			continue
		}
		if len(out.Apps) == limit {
			out.NextAfter = out.Apps[len(out.Apps)-1].Name
			break
		}
		out.Apps = append(out.Apps, s.appJSON(a))
	}
	return c.JSON(http.StatusOK, out)
}

// maxAppsPage is the longest page of apps.
const maxAppsPage = 500

func (s *Server) createApp(c echo.Context) error {
	var in api.CreateApp
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	app, err := s.cfg.Engine.CreateApp(c.Request().Context(), in.Name, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.appJSON(app))
}

func (s *Server) getApp(c echo.Context) error {
	app, err := s.cfg.Engine.FindApp(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.appJSON(app))
}

func (s *Server) updateApp(c echo.Context) error {
	var in api.UpdateApp
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, name := c.Request().Context(), c.Param("app")
	var app *engine.App
	var err error
	if in.DeployBranch != nil {
		if app, err = s.cfg.Engine.SetDeployBranch(ctx, name, *in.DeployBranch); err != nil {
			return err
		}
	}
	if in.Health != nil {
		if app, err = s.cfg.Engine.SetHealthCheck(ctx, name, healthFromJSON(*in.Health)); err != nil {
			return err
		}
	}
	if in.Builder != nil {
		if app, err = s.cfg.Engine.SetBuilder(ctx, name, *in.Builder); err != nil {
			return err
		}
	}
	if app == nil {
		if app, err = s.cfg.Engine.FindApp(ctx, name); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, s.appJSON(app))
}

func (s *Server) destroyApp(c echo.Context) error {
	name := c.Param("app")
	if c.QueryParam("confirm") != name {
		return engine.FieldError("confirm", "destroying %s removes its containers, images, repository, releases and config for good: confirm with the app's name (quayside apps destroy %s --confirm %s)", name, name, name)
	}
	destroy := s.cfg.Engine.Destroy
	if c.QueryParam("with_addons") == "true" {
		noBackup := c.QueryParam("no_backup") == "true"
		destroy = func(ctx context.Context, app string) error {
			return s.cfg.Engine.DestroyWithAddons(ctx, app, noBackup, nil)
		}
	}
	if err := destroy(c.Request().Context(), name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) appJSON(a *engine.App) api.App {
	h := a.Health.WithDefaults()
	return api.App{
		Name: a.Name, URL: s.cfg.Engine.AppURL(a.Name), State: a.State,
		DeployBranch: a.DeployBranch, CurrentRelease: a.CurrentRelease, ConfigVersion: a.ConfigVersion,
		Health: api.HealthCheck{
			Path: h.Path, TimeoutSeconds: h.Timeout.Seconds(), DrainSeconds: h.DrainTimeout.Seconds(),
			ReleaseTimeoutSeconds: h.ReleaseTimeout.Seconds(),
		},
		Scale: scaleJSON(a.Scale), Builder: a.Builder, Edge: edgeJSON(a.Edge),
		CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy, PreviewOf: a.PreviewOf,
	}
}

func healthFromJSON(h api.HealthCheck) engine.HealthCheck {
	return engine.HealthCheck{
		Path:           h.Path,
		Timeout:        seconds(h.TimeoutSeconds),
		DrainTimeout:   seconds(h.DrainSeconds),
		ReleaseTimeout: seconds(h.ReleaseTimeoutSeconds),
	}
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
