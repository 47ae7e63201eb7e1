package ui

import (
	"fmt"
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
	limits, err := s.cfg.Engine.Limits(ctx, name)
	if err != nil {
		return err
	}
	out := api.ProcessList{Processes: make([]api.Process, 0, len(cs)), Scale: scaleJSON(app.Scale), Limits: map[string]api.Limits{}}
	for _, l := range limits {
		out.Limits[l.Type] = limitsJSON(l)
	}
	use := s.containerUse(name)
	for _, ct := range cs {
		p := api.Process{
			Name: ct.Name, Type: ct.Process, Replica: ct.Replica, Release: ct.Release,
			State: ct.State, Restarts: ct.RestartCount, StartedAt: ct.StartedAt, Node: ct.Node,
			MemoryLimitBytes: ct.Limits.MemoryBytes, CPULimit: float64(ct.Limits.NanoCPUs) / 1e9,
		}
		if u, ok := use[fmt.Sprintf("%s.%d", ct.Process, ct.Replica)]; ok && ct.Running {
			p.MemoryBytes, p.CPUPercent = &u.MemoryBytes, &u.CPUPercent
		}
		out.Processes = append(out.Processes, p)
	}
	return c.JSON(http.StatusOK, out)
}

// usageSource gives the last sample of an app's containers, by process
// ("web.1"); *metrics.Metrics is one.
type usageSource interface {
	ContainerUse(app string) map[string]engine.ContainerSample
}

// containerUse is what app's containers used at the last sample, when the
// server samples them.
func (s *Server) containerUse(app string) map[string]engine.ContainerSample {
	if u, ok := s.cfg.Series.(usageSource); ok {
		return u.ContainerUse(app)
	}
	return nil
}

// limitsJSON is a process type's limits on the wire.
func limitsJSON(l engine.TypeLimits) api.Limits {
	out := api.Limits{MemoryBytes: l.Limits.MemoryBytes, CPUs: float64(l.Limits.NanoCPUs) / 1e9, Pids: l.Limits.Pids, Defaults: []string{}}
	for _, d := range []struct {
		key string
		set int64
	}{{engine.LimitMemory, l.Set.MemoryBytes}, {engine.LimitCPUs, l.Set.NanoCPUs}, {engine.LimitPids, l.Set.Pids}} {
		if d.set == 0 {
			out.Defaults = append(out.Defaults, d.key)
		}
	}
	return out
}

func (s *Server) setLimits(c echo.Context) error {
	var in api.LimitsChange
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Process == "" {
		return engine.FieldError("process", "name the process type, as in web")
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		ctx := c.Request().Context()
		l, err := s.cfg.Engine.SetLimits(ctx, engine.LimitsRequest{
			App: c.Param("app"), Process: in.Process, Change: engine.LimitChange(in.Limits), Author: actor(c), Output: w,
		})
		if err != nil {
			return api.StreamEvent{}, err
		}
		all, err := s.cfg.Engine.Limits(ctx, c.Param("app"))
		if err != nil {
			return api.StreamEvent{}, err
		}
		out := limitsJSON(engine.TypeLimits{Type: in.Process, Limits: l})
		for _, tl := range all {
			if tl.Type == in.Process {
				out = limitsJSON(tl)
			}
		}
		return api.StreamEvent{Limits: &out}, nil
	})
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
