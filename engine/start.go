package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// slot is one container a release should run, with its limits.
type slot struct {
	process Process
	replica int
	limits  Limits
}

func (s slot) key() string { return s.process.Type + "." + strconv.Itoa(s.replica) }

// plan lists the containers of rel that app's scale asks for, each with
// the limits of its process type.
func plan(app *App, rel *Release, lim appLimits) []slot {
	if rel.Number == 0 {
		return nil
	}
	var slots []slot
	for _, p := range rel.processes() {
		if p.Type == ProcessRelease {
			continue
		}
		for r := 1; r <= app.Scale.count(p.Type); r++ {
			slots = append(slots, slot{p, r, lim.of(p.Type)})
		}
	}
	return slots
}

// startProcesses starts every container of rel's plan and waits until the
// web ones are healthy and the others keep running. On error it returns
// what it started, for the caller to remove.
func (e *Engine) startProcesses(ctx context.Context, app *App, rel *Release, out *progress) ([]*Container, error) {
	lim, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return nil, err
	}
	slots := plan(app, rel, lim)
	if len(slots) == 0 {
		out.Step("v%d runs no process: every process type is scaled to 0", rel.Number)
		return nil, nil
	}
	out.Step("Starting v%d: %s", rel.Number, describeSlots(slots))
	var started []*Container
	for _, s := range slots {
		c, err := e.startSlot(ctx, rel, s)
		if err != nil {
			return started, err
		}
		started = append(started, c)
	}
	if err := e.waitStarted(ctx, app, started, out); err != nil {
		return started, err
	}
	return e.inspectAll(ctx, started)
}

// startSlot starts one container of rel, with the slot's limits.
func (e *Engine) startSlot(ctx context.Context, rel *Release, s slot) (*Container, error) {
	spec, err := e.containerSpec(ctx, rel, s.process, s.replica)
	if err != nil {
		return nil, err
	}
	spec.Limits = s.limits
	c, err := e.cfg.Runtime.Start(ctx, spec)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Wrapf(err, EDEPLOYFAILED, "starting %s failed: the image of v%d is gone from this server: redeploy with git push", s.key(), rel.Number)
	}
	return c, stepError("starting "+s.key(), err)
}

// containerSpec is how one container of process p of rel runs. Replica 0
// is a one-off or release-phase container: it runs with web's limits.
func (e *Engine) containerSpec(ctx context.Context, rel *Release, p Process, replica int) (ContainerSpec, error) {
	cv, err := e.cfg.Store.FindConfigVersion(ctx, rel.App, rel.ConfigVersion)
	if err != nil {
		return ContainerSpec{}, err
	}
	port := rel.Port
	if port == 0 {
		port = e.cfg.AppPort
	}
	env := make(map[string]string, len(cv.Vars)+1)
	for k, v := range cv.Vars {
		env[k] = v
	}
	env["PORT"] = strconv.Itoa(port)
	spec := ContainerSpec{
		App: rel.App, Release: rel.Number, Process: p.Type, Replica: replica,
		Image: rel.Image, Env: env, Entrypoint: p.Entrypoint, Cmd: p.Cmd,
	}
	if p.Type == ProcessWeb {
		spec.Port = port
	}
	lim, err := e.appLimits(ctx, rel.App)
	if err != nil {
		return ContainerSpec{}, err
	}
	spec.Limits = lim.of(limitType(p, replica))
	if replica > 0 {
		if spec.Placement, err = e.placementOf(ctx, rel.App); err != nil {
			return ContainerSpec{}, err
		}
	}
	return spec, nil
}

// waitStarted waits, in parallel, for each web container to pass its
// health check; the other containers must still run once the web ones are
// ready (or after the settle time when there is no web container).
func (e *Engine) waitStarted(ctx context.Context, app *App, cs []*Container, out *progress) error {
	var web, others []*Container
	for _, c := range cs {
		if c.Process == ProcessWeb {
			web = append(web, c)
		} else {
			others = append(others, c)
		}
	}
	if err := e.waitAllHealthy(ctx, web, app.Health, out); err != nil {
		return err
	}
	return e.checkSettled(ctx, others, len(web) == 0)
}

func (e *Engine) waitAllHealthy(ctx context.Context, cs []*Container, hc HealthCheck, out *progress) error {
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.waitHealthy(ctx, c, hc, out); err != nil {
				errs[i] = &containerError{c: c, err: err}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkSettled fails if one of cs has crashed. With wait, it first gives
// them the settle time to do so.
func (e *Engine) checkSettled(ctx context.Context, cs []*Container, wait bool) error {
	if len(cs) == 0 {
		return nil
	}
	if wait {
		select {
		case <-ctx.Done():
			return Errorf(EDEPLOYFAILED, "the deploy was cancelled")
		case <-time.After(e.cfg.SettleTime):
		}
	}
	for _, c := range cs {
		cur, err := e.cfg.Runtime.Inspect(ctx, c.ID)
		if err != nil {
			return err
		}
		if why := crashReason(cur); why != "" {
			return &containerError{c: c, err: Errorf(EDEPLOYFAILED, "%s.%d %s", c.Process, c.Replica, why)}
		}
	}
	return nil
}

// inspectAll returns the current state of cs (addresses may have been
// assigned after the start).
func (e *Engine) inspectAll(ctx context.Context, cs []*Container) ([]*Container, error) {
	out := make([]*Container, 0, len(cs))
	for _, c := range cs {
		cur, err := e.cfg.Runtime.Inspect(ctx, c.ID)
		if err != nil {
			return cs, err
		}
		out = append(out, cur)
	}
	return out, nil
}

// describeSlots prints a plan as "web.1, web.2, worker.1".
func describeSlots(slots []slot) string {
	names := make([]string, len(slots))
	for i, s := range slots {
		names[i] = fmt.Sprintf("%s.%d", s.process.Type, s.replica)
	}
	return strings.Join(names, ", ")
}
