package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listEvents(c echo.Context) error {
	limit, err := queryInt(c, "limit", 50, 1, 1000)
	if err != nil {
		return err
	}
	before, err := queryInt(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	evs, err := s.cfg.Engine.Events(c.Request().Context(), c.Param("app"), int64(before), limit)
	if err != nil {
		return err
	}
	out := api.EventList{Events: make([]api.Event, 0, len(evs))}
	for _, e := range evs {
		out.Events = append(out.Events, api.Event{ID: e.ID, App: e.App, Kind: e.Kind, Release: e.Release,
			Process: e.Process, Message: e.Message, Actor: e.Actor, Time: e.Time})
	}
	if len(evs) == limit {
		out.NextBefore = evs[len(evs)-1].ID
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) releaseOutput(c echo.Context) error {
	n, err := strconv.Atoi(strings.TrimPrefix(c.Param("number"), "v"))
	if err != nil || n < 1 {
		return engine.FieldError("number", "%q is not a release number", c.Param("number"))
	}
	out, err := s.cfg.Engine.ReleaseOutput(c.Request().Context(), c.Param("app"), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.ReleaseOutput{Output: out})
}
