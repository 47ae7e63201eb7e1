package engine

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// AuditLimits records a change of a process type's limits.
const AuditLimits = "limits"

// LimitStore keeps the limits apps set per process type.
type LimitStore interface {
	// ProcessLimits returns the limits app sets, by process type; an app
	// that sets none (or does not exist) gives an empty map.
	ProcessLimits(ctx context.Context, app string) (ProcessLimits, error)
	// SetProcessLimits replaces the limits of one process type of app; a
	// zero Limits forgets them. An unknown app is ENOTFOUND.
	SetProcessLimits(ctx context.Context, app, process string, l Limits) error
}

// LimitsRequest changes the limits of one process type of an app.
type LimitsRequest struct {
	App     string
	Process string
	Change  LimitChange
	Author  string
	Output  io.Writer
}

// TypeLimits are the limits one process type runs with.
type TypeLimits struct {
	Type string
	// Limits are in effect: the app's own, else the server's defaults.
	Limits Limits
	// Set are the app's own; a zero field takes the server's default.
	Set Limits
}

// appLimits are an app's limits with the server's defaults behind them.
type appLimits struct {
	set      ProcessLimits
	defaults Limits
	// memCap, when not 0, caps memory whatever the app sets (previews).
	memCap int64
}

// of returns the limits containers of process type typ run with.
func (a appLimits) of(typ string) Limits {
	l := a.set[typ].withDefaults(a.defaults)
	if a.memCap > 0 && (l.MemoryBytes == 0 || l.MemoryBytes > a.memCap) {
		l.MemoryBytes = a.memCap
	}
	return l
}

// appLimits reads app's limits.
func (e *Engine) appLimits(ctx context.Context, app string) (appLimits, error) {
	set, err := e.cfg.Store.ProcessLimits(ctx, app)
	if err != nil {
		return appLimits{}, fmt.Errorf("read process limits: %w", err)
	}
	lim := appLimits{set: set, defaults: e.cfg.DefaultLimits}
	if _, err := e.cfg.Store.FindPreview(ctx, app); err == nil {
		lim.memCap = e.cfg.PreviewMemory
	} else if ErrorCode(err) != ENOTFOUND {
		return appLimits{}, fmt.Errorf("find preview: %w", err)
	}
	return lim, nil
}

// limitType is the process type whose limits a container of process p
// runs with: one-off and release-phase containers (replica 0) run with
// web's.
func limitType(p Process, replica int) string {
	if replica == 0 {
		return ProcessWeb
	}
	return p.Type
}

// Limits returns the limits each long-running process type of app's
// current release (web alone before the first release) runs with, by type.
func (e *Engine) Limits(ctx context.Context, name string) ([]TypeLimits, error) {
	app, err := e.FindApp(ctx, name)
	if err != nil {
		return nil, err
	}
	types, _, err := e.limitTypes(ctx, app)
	if err != nil {
		return nil, err
	}
	lim, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return nil, err
	}
	out := make([]TypeLimits, 0, len(types))
	for _, typ := range types {
		out = append(out, TypeLimits{Type: typ, Limits: lim.of(typ), Set: lim.set[typ]})
	}
	return out, nil
}

// limitTypes lists the process types of app's current release (nil when
// it has none), sorted; before the first release web is the only one.
func (e *Engine) limitTypes(ctx context.Context, app *App) ([]string, *Release, error) {
	if app.CurrentRelease == 0 {
		return processTypes(defaultProcesses()), nil, nil
	}
	rel, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return nil, nil, err
	}
	return processTypes(rel.processes()), rel, nil
}

// SetLimits changes the limits of one process type and replaces its
// containers with ones that run with them, as a scale change does: the
// new ones take traffic once healthy, then the old ones are drained. When
// the new containers do not come up, the old limits are put back, the
// old containers keep running, and the error says so. It returns the
// limits now in effect.
func (e *Engine) SetLimits(ctx context.Context, req LimitsRequest) (_ Limits, err error) {
	if err := e.authorize(ctx, ActScale, req.App); err != nil {
		return Limits{}, err
	}
	req.Author = actor(ctx, req.Author)
	defer func() { e.audit(ctx, AuditLimits, req.App, req.Process, req.Change.String(), err) }()
	out := newProgress(req.Output)
	ctx, unlock, err := e.lockApp(ctx, req.App, out)
	if err != nil {
		return Limits{}, err
	}
	defer unlock()
	app, err := e.appForChange(ctx, req.App)
	if err != nil {
		return Limits{}, err
	}
	rel, prev, next, err := e.checkLimits(ctx, app, req)
	if err != nil {
		return Limits{}, err
	}
	lim := appLimits{set: ProcessLimits{req.Process: next}, defaults: e.cfg.DefaultLimits}
	if err := e.applyLimits(ctx, app, rel, req.Process, prev, next, out); err != nil {
		return Limits{}, err
	}
	e.emit(ctx, Event{App: app.Name, Kind: EventLimitsChanged, Release: app.CurrentRelease, Actor: req.Author,
		Message: fmt.Sprintf("%s limits set to %s by %s", req.Process, lim.of(req.Process), req.Author)})
	return lim.of(req.Process), nil
}

// checkLimits validates req against app and returns its current release
// (nil before the first), and the type's limits before and after.
func (e *Engine) checkLimits(ctx context.Context, app *App, req LimitsRequest) (*Release, Limits, Limits, error) {
	types, rel, err := e.limitTypes(ctx, app)
	if err != nil {
		return nil, Limits{}, Limits{}, err
	}
	if req.Process == ProcessRelease {
		return nil, Limits{}, Limits{}, FieldError("process", "the release phase runs with web's limits: set those instead")
	}
	if !slices.Contains(types, req.Process) {
		return nil, Limits{}, Limits{}, FieldError("process", "%s has no process type %q: it has %s", app.Name, req.Process, strings.Join(types, ", "))
	}
	cur, err := e.appLimits(ctx, app.Name)
	if err != nil {
		return nil, Limits{}, Limits{}, err
	}
	prev := cur.set[req.Process]
	next, err := req.Change.apply(prev, e.cfg.HostCPUs)
	if err != nil {
		return nil, Limits{}, Limits{}, err
	}
	if id, ok := IdentityFrom(ctx); ok && !mayExceedLimitCeilings(id) {
		if err := overCeiling(req.Change, next, e.cfg.MaxLimits); err != nil {
			return nil, Limits{}, Limits{}, err
		}
	}
	return rel, prev, next, nil
}

// applyLimits stores next as typ's limits and converges; when that fails
// it stores prev again and converges back.
func (e *Engine) applyLimits(ctx context.Context, app *App, rel *Release, typ string, prev, next Limits, out *progress) error {
	if err := e.cfg.Store.SetProcessLimits(ctx, app.Name, typ, next); err != nil {
		return err
	}
	eff := next.withDefaults(e.cfg.DefaultLimits)
	out.Step("Setting the limits of %s %s: %s", app.Name, typ, eff)
	if rel == nil {
		out.Info("they apply from the first deploy")
		return nil
	}
	cerr := e.converge(ctx, app, rel, out)
	if cerr == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if err := e.cfg.Store.SetProcessLimits(ctx, app.Name, typ, prev); err != nil {
		e.log.Error("put back process limits", "app", app.Name, "process", typ, "err", err)
	}
	if err := e.converge(ctx, app, rel, out); err != nil {
		e.log.Error("converge after failed limits change", "app", app.Name, "err", err)
	}
	return Errorf(EDEPLOYFAILED, "%s did not start with %s, so its limits stay as they were (%s): %s",
		typ, eff, prev.withDefaults(e.cfg.DefaultLimits), ErrorMessage(cerr))
}

// String prints a change as "cpus=1 memory=512M", in key order.
func (ch LimitChange) String() string {
	keys := slices.Sorted(maps.Keys(ch))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + ch[k]
	}
	return strings.Join(parts, " ")
}
