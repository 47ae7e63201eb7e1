package ui

import (
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listProcesses(c echo.Context) error {
	ctx, name := c.Request().Context(), c.Param("app")
	app, err := s.cfg.Engine.FindApp(ctx, name)
	if err != nil {
		return err
	}
	cs, err := s.cfg.Engine.Processes(ctx, name)
	if err != nil {
		return err
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Process != cs[j].Process {
			return cs[i].Process < cs[j].Process
		}
		return cs[i].Replica < cs[j].Replica
	})
	out := api.ProcessList{Processes: make([]api.Process, 0, len(cs)), Scale: scaleJSON(app.Scale)}
	for _, ct := range cs {
		out.Processes = append(out.Processes, api.Process{
			Name: ct.Name, Type: ct.Process, Replica: ct.Replica, Release: ct.Release,
			State: ct.State, Restarts: ct.RestartCount, StartedAt: ct.StartedAt,
		})
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) scale(c echo.Context) error {
	var in api.ScaleChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if len(in) == 0 {
		return engine.FieldError("scale", "give at least one process type and count, as in web=2")
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		app, err := s.cfg.Engine.Scale(c.Request().Context(), engine.ScaleRequest{
			App: c.Param("app"), Change: engine.Scale(in), Author: actor(c), Output: w,
		})
		if err != nil {
			return api.StreamEvent{}, err
		}
		a := s.appJSON(app)
		return api.StreamEvent{App: &a}, nil
	})
}

func (s *Server) runOneOff(c echo.Context) error {
	var in api.Run
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		code, err := s.cfg.Engine.Run(c.Request().Context(), engine.RunRequest{
			App: c.Param("app"), Command: in.Command, Author: actor(c), Output: w,
		})
		if err != nil {
			return api.StreamEvent{}, err
		}
		return api.StreamEvent{ExitCode: &code}, nil
	})
}

func (s *Server) clearBuildCache(c echo.Context) error {
	if err := s.cfg.Engine.ClearBuildCache(c.Request().Context(), c.Param("app")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// scaleJSON is the scale with every type's count, defaults included.
func scaleJSON(sc engine.Scale) map[string]int {
	out := map[string]int{engine.ProcessWeb: 1}
	for k, v := range sc {
		out[k] = v
	}
	return out
}
