package ui

import (
	"crypto/rand"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/ui/api"
)

// defaultPreviewUser is the basic-auth user of previews when none is given.
const defaultPreviewUser = "preview"

func (s *Server) listAllPreviews(c echo.Context) error {
	ps, err := s.cfg.Engine.ListPreviews(c.Request().Context(), "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.PreviewList{Previews: previewsJSON(ps)})
}

func (s *Server) listPreviews(c echo.Context) error {
	ctx, app := c.Request().Context(), c.Param("app")
	ps, err := s.cfg.Engine.ListPreviews(ctx, app)
	if err != nil {
		return err
	}
	out := api.PreviewList{Previews: previewsJSON(ps)}
	if st, err := s.cfg.Engine.PreviewSettings(ctx, app); err == nil {
		js := previewSettingsJSON(st)
		out.Settings = &js
	} else if engine.ErrorCode(err) != engine.ENOTFOUND {
		return err
	}
	vars, keys, err := s.cfg.Engine.PreviewConfig(ctx, app)
	if err != nil {
		return err
	}
	out.ProductionOnly, out.PreviewConfig = keys, sortedNames(vars)
	return c.JSON(http.StatusOK, out)
}

func (s *Server) enablePreviews(c echo.Context) error {
	var in api.EnablePreviews
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.TTLSeconds < 0 || in.TTLSeconds > int64(engine.MaxPreviewTTL/time.Second) {
		return engine.FieldError("ttl_seconds", "ttl_seconds must be between 1 and %d (90 days), or 0 for the default", int64(engine.MaxPreviewTTL/time.Second))
	}
	req := engine.PreviewsRequest{App: c.Param("app"), TTL: time.Duration(in.TTLSeconds) * time.Second, Max: in.Max}
	made, err := previewAuth(&req, in)
	if err != nil {
		return err
	}
	st, err := s.cfg.Engine.EnablePreviews(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.PreviewsEnabled{Settings: previewSettingsJSON(st), AuthPassword: made})
}

// previewAuth fills in req's basic auth from in, making a password when
// none is given; it returns the password it made.
func previewAuth(req *engine.PreviewsRequest, in api.EnablePreviews) (string, error) {
	if !in.Auth {
		if in.AuthUser != "" || in.AuthPassword != "" {
			return "", engine.FieldError("auth", "auth_user and auth_password need auth: true")
		}
		return "", nil
	}
	req.AuthUser = in.AuthUser
	if req.AuthUser == "" {
		req.AuthUser = defaultPreviewUser
	}
	if err := engine.ValidateBasicAuthUser(req.AuthUser); err != nil {
		return "", err
	}
	pw, made := in.AuthPassword, ""
	if pw == "" {
		pw = rand.Text()
		made = pw
	}
	if n := len(pw); n < minBasicAuthPassword || n > maxBasicAuthPassword {
		return "", engine.FieldError("auth_password", "the password must have %d to %d characters", minBasicAuthPassword, maxBasicAuthPassword)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return "", err
	}
	req.AuthHash = hash
	return made, nil
}

func (s *Server) disablePreviews(c echo.Context) error {
	if err := s.cfg.Engine.DisablePreviews(c.Request().Context(), c.Param("app")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) destroyPreview(c echo.Context) error {
	branch, err := url.PathUnescape(c.Param("branch"))
	if err != nil {
		return engine.FieldError("branch", "the branch in the path is not valid percent-encoding")
	}
	if err := s.cfg.Engine.DestroyPreview(c.Request().Context(), c.Param("app"), branch); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func previewsJSON(ps []*engine.Preview) []api.Preview {
	out := make([]api.Preview, 0, len(ps))
	for _, p := range ps {
		out = append(out, api.Preview{
			Name: p.Name, App: p.App, Branch: p.Branch, Commit: p.Commit, URL: p.URL,
			CreatedAt: p.CreatedAt, PushedAt: p.PushedAt, ExpiresAt: p.ExpiresAt,
		})
	}
	return out
}

func previewSettingsJSON(s *engine.PreviewSettings) api.PreviewSettings {
	return api.PreviewSettings{TTLSeconds: int64(s.TTL / time.Second), Max: s.Max, AuthUser: s.AuthUser}
}

// sortedNames returns the keys of m, sorted.
func sortedNames(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
