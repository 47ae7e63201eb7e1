// Package enginetest holds fakes of the engine's adapters for unit tests of
// logic: a runtime that runs nothing, a builder that builds nothing, a router
// that routes nothing. End-to-end tests use the real ones.
//
// The fakes misbehave on request: a container whose image is "crash" (or
// whose env has CRASH=1, or whose memory limit is below FakeAppMemory)
// exits at once, one whose image is "unhealthy" fails
// its health check, a missing image is "missing", and a commit named
// "broken" fails to build.
package enginetest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quayside/quayside/engine"
)

// FakeAppMemory is the memory the fake app needs: with a lower limit its
// container exits at once.
const FakeAppMemory = 20 << 20

// Runtime is an engine.Runtime whose containers are records.
type Runtime struct {
	mu         sync.Mutex
	containers map[string]*engine.Container
	started    []engine.ContainerSpec
	runs       []engine.ContainerSpec
	nextPort   int

	removedImages []string
	events        chan engine.RuntimeEvent
}

var _ engine.Runtime = (*Runtime)(nil)

// NewRuntime returns an empty runtime.
func NewRuntime() *Runtime {
	return &Runtime{containers: map[string]*engine.Container{}, nextPort: 40000}
}

// Start implements engine.Runtime.
func (r *Runtime) Start(_ context.Context, spec engine.ContainerSpec) (*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if spec.Image == "missing" {
		return nil, engine.Errorf(engine.ENOTFOUND, "no such image")
	}
	r.nextPort++
	c := &engine.Container{
		ID: fmt.Sprintf("c%d", r.nextPort), Name: fmt.Sprintf("%s-v%d-%d", spec.App, spec.Release, r.nextPort),
		App: spec.App, Release: spec.Release, Process: spec.Process, Replica: spec.Replica,
		Image: spec.Image, Addr: fmt.Sprintf("127.0.0.1:%d", r.nextPort), State: "running", Running: true,
		Limits: spec.Limits,
	}
	tooSmall := spec.Limits.MemoryBytes > 0 && spec.Limits.MemoryBytes < FakeAppMemory
	if spec.Image == "crash" || spec.Env["CRASH"] == "1" || slices.Contains(spec.Entrypoint, "crash") || tooSmall {
		c.State, c.Running, c.ExitCode, c.Addr = "exited", false, 3, ""
	}
	r.containers[c.ID] = c
	r.started = append(r.started, spec)
	return copyOf(c), nil
}

// Inspect implements engine.Runtime.
func (r *Runtime) Inspect(_ context.Context, id string) (*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[id]
	if !ok {
		return nil, engine.Errorf(engine.ENOTFOUND, "no container %s", id)
	}
	return copyOf(c), nil
}

// Containers implements engine.Runtime.
func (r *Runtime) Containers(_ context.Context, app string) ([]*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*engine.Container
	for _, c := range r.containers {
		if app == "" || c.App == app {
			out = append(out, copyOf(c))
		}
	}
	return out, nil
}

// Stop implements engine.Runtime.
func (r *Runtime) Stop(_ context.Context, id string, _ time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.containers, id)
	return nil
}

// Logs implements engine.Runtime: every container printed one line.
func (r *Runtime) Logs(context.Context, string, int) (string, error) {
	return "boot log line", nil
}

// RemoveApp implements engine.Runtime.
func (r *Runtime) RemoveApp(context.Context, string) error { return nil }

// Run implements engine.Runtime: the command prints its arguments and
// exits with the code given as "exit=N" (0 by default); "hang" waits for ctx.
func (r *Runtime) Run(ctx context.Context, spec engine.ContainerSpec, out io.Writer) (int, error) {
	r.mu.Lock()
	r.runs = append(r.runs, spec)
	r.mu.Unlock()
	if spec.Image == "missing" {
		return 0, engine.Errorf(engine.ENOTFOUND, "no such image")
	}
	argv := append(slices.Clone(spec.Entrypoint), spec.Cmd...)
	fmt.Fprintf(out, "ran %v\n", argv)
	code := 0
	for _, a := range argv {
		if strings.HasSuffix(a, "hang") {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		if _, n, ok := strings.Cut(a, "exit="); ok {
			code, _ = strconv.Atoi(n)
		}
	}
	return code, nil
}

// RemoveImage implements engine.Runtime.
func (r *Runtime) RemoveImage(_ context.Context, ref string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removedImages = append(r.removedImages, ref)
	return nil
}

// Runs returns the specs of every one-off Run so far.
func (r *Runtime) Runs() []engine.ContainerSpec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.runs)
}

// RemovedImages returns the images removed so far.
func (r *Runtime) RemovedImages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.removedImages)
}

// Crash makes the container with the given ID look crashed and restarted.
func (r *Runtime) Crash(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.containers[id]; ok {
		c.RestartCount++
	}
}

// Events implements engine.Runtime: it delivers what Emit sends.
func (r *Runtime) Events(ctx context.Context) <-chan engine.RuntimeEvent {
	out := make(chan engine.RuntimeEvent)
	r.mu.Lock()
	if r.events == nil {
		r.events = make(chan engine.RuntimeEvent, 64)
	}
	in := r.events
	r.mu.Unlock()
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-in:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// Emit sends a runtime event to the subscriber of Events.
func (r *Runtime) Emit(ev engine.RuntimeEvent) {
	r.mu.Lock()
	if r.events == nil {
		r.events = make(chan engine.RuntimeEvent, 64)
	}
	in := r.events
	r.mu.Unlock()
	in <- ev
}

// Started returns the specs of every Start so far, in order.
func (r *Runtime) Started() []engine.ContainerSpec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.started)
}

// Running returns the running containers of app.
func (r *Runtime) Running(app string) []*engine.Container {
	cs, _ := r.Containers(context.Background(), app)
	return slices.DeleteFunc(cs, func(c *engine.Container) bool { return !c.Running })
}

func copyOf(c *engine.Container) *engine.Container {
	cp := *c
	return &cp
}

// Builder is an engine.Builder whose image is named after the commit.
type Builder struct {
	// Gate, when not nil, holds each build until it receives a value.
	Gate chan struct{}
	// Processes are the process types every image declares.
	Processes []engine.Process

	mu       sync.Mutex
	cleared  []string
	buildEnv map[string]map[string]string
}

var _ engine.Builder = (*Builder)(nil)

// Build implements engine.Builder.
func (b *Builder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	fmt.Fprintf(req.Output, "building %s\n", req.Commit)
	b.mu.Lock()
	if b.buildEnv == nil {
		b.buildEnv = map[string]map[string]string{}
	}
	b.buildEnv[req.App] = req.Env
	b.mu.Unlock()
	if b.Gate != nil {
		select {
		case <-b.Gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if req.Commit == "broken" {
		return nil, engine.Errorf(engine.EDEPLOYFAILED, "Dockerfile build failed: step 2 exited 1")
	}
	return &engine.Image{Ref: req.Commit, Method: "dockerfile", Port: 8080, Processes: b.Processes}, nil
}

// BuildEnv returns the config the newest build of app was given.
func (b *Builder) BuildEnv(app string) map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buildEnv[app]
}

// ClearCache implements engine.CacheClearer, recording the app.
func (b *Builder) ClearCache(_ context.Context, app string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cleared = append(b.cleared, app)
	return nil
}

// Cleared returns the apps whose build cache was cleared.
func (b *Builder) Cleared() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.cleared)
}

// Router is an engine.Router that records routes and drains.
type Router struct {
	mu      sync.Mutex
	routes  map[string]engine.Route
	drained []string
}

var _ engine.Router = (*Router)(nil)

// NewRouter returns a router with no routes.
func NewRouter() *Router { return &Router{routes: map[string]engine.Route{}} }

// SetRoute implements engine.Router.
func (r *Router) SetRoute(rt engine.Route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[rt.App] = rt
}

// RemoveRoute implements engine.Router.
func (r *Router) RemoveRoute(app string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.routes, app)
}

// Drain implements engine.Router.
func (r *Router) Drain(_ context.Context, addr string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drained = append(r.drained, addr)
	return nil
}

// Route returns app's route and whether it has one.
func (r *Router) Route(app string) (engine.Route, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, ok := r.routes[app]
	return rt, ok
}

// Drained returns every address drained so far.
func (r *Router) Drained() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.drained)
}

// Health is an engine.HealthChecker: healthy unless the container at the
// address runs the image "unhealthy".
type Health struct{ RT *Runtime }

// Check implements engine.HealthChecker.
func (h Health) Check(_ context.Context, addr, _ string) error {
	h.RT.mu.Lock()
	defer h.RT.mu.Unlock()
	for _, c := range h.RT.containers {
		if c.Addr == addr && c.Image == "unhealthy" {
			return fmt.Errorf("GET / answered 500")
		}
	}
	return nil
}

// Source is a commit with no files.
type Source struct{}

// Archive implements engine.Source.
func (Source) Archive(context.Context, io.Writer) error { return nil }

// ReadFile implements engine.Source.
func (Source) ReadFile(context.Context, string) ([]byte, error) {
	return nil, engine.Errorf(engine.ENOTFOUND, "no such file")
}

// Repos is an engine.Repositories that records removals.
type Repos struct {
	mu      sync.Mutex
	removed []string
}

// RemoveRepository implements engine.Repositories.
func (r *Repos) RemoveRepository(_ context.Context, app string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removed = append(r.removed, app)
	return nil
}

// Removed returns the apps whose repositories were removed.
func (r *Repos) Removed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.removed)
}
