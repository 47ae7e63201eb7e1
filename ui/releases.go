package ui

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// Release list limits.
const (
	defaultReleaseLimit = 20
	maxReleaseLimit     = 1000
)

func (s *Server) listReleases(c echo.Context) error {
	limit, err := queryInt(c, "limit", defaultReleaseLimit, 1, maxReleaseLimit)
	if err != nil {
		return err
	}
	ctx, name := c.Request().Context(), c.Param("app")
	app, err := s.cfg.Engine.FindApp(ctx, name)
	if err != nil {
		return err
	}
	rels, err := s.cfg.Engine.ListReleases(ctx, name, limit)
	if err != nil {
		return err
	}
	out := api.ReleaseList{Releases: make([]api.Release, 0, len(rels))}
	for _, r := range rels {
		out.Releases = append(out.Releases, releaseJSON(r, app.CurrentRelease))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) rollback(c echo.Context) error {
	var in api.Rollback
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.To < 0 {
		return engine.FieldError("to", "release numbers start at 1")
	}
	return s.streamRelease(c, func(out *streamWriter) (*engine.Release, error) {
		return s.cfg.Engine.Rollback(c.Request().Context(), engine.RollbackRequest{
			App: c.Param("app"), To: in.To, Author: actor(c), Output: out,
		})
	})
}

func releaseJSON(r *engine.Release, current int) api.Release {
	out := api.Release{
		Number: r.Number, Current: r.Number == current, Kind: r.Kind, Status: r.Status,
		Description: r.Description, Image: r.Image, Port: r.Port, BuildMethod: r.BuildMethod,
		Commit: r.Commit, Author: r.Author, ConfigVersion: r.ConfigVersion, RollbackOf: r.RollbackOf,
		PromotedFrom: r.PromotedFrom, PromotedRelease: r.PromotedRelease,
		Error: r.Error, CreatedAt: r.CreatedAt, DurationMS: r.Duration().Milliseconds(),
	}
	if !r.FinishedAt.IsZero() {
		t := r.FinishedAt
		out.FinishedAt = &t
	}
	return out
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, engine.FieldError(name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}
