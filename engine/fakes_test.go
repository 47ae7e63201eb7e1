package engine_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/quayside/quayside/engine"
)

// fakeRuntime runs nothing: containers are records whose health the test
// controls through the image name ("crash", "unhealthy" make them fail).
type fakeRuntime struct {
	mu         sync.Mutex
	containers map[string]*engine.Container
	started    []engine.ContainerSpec
	nextPort   int
	events     chan engine.RuntimeEvent
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{containers: map[string]*engine.Container{}, nextPort: 40000, events: make(chan engine.RuntimeEvent, 100)}
}

func (r *fakeRuntime) Start(_ context.Context, spec engine.ContainerSpec) (*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if spec.Image == "missing" {
		return nil, engine.Errorf(engine.ENOTFOUND, "no such image")
	}
	r.nextPort++
	c := &engine.Container{
		ID: fmt.Sprintf("c%d", r.nextPort), Name: fmt.Sprintf("%s-v%d", spec.App, spec.Release),
		App: spec.App, Release: spec.Release, Process: spec.Process, Replica: spec.Replica,
		Image: spec.Image, Addr: fmt.Sprintf("127.0.0.1:%d", r.nextPort), State: "running", Running: true,
	}
	if spec.Image == "crash" || spec.Env["CRASH"] == "1" {
		c.State, c.Running, c.ExitCode, c.Addr = "exited", false, 3, ""
	}
	r.containers[c.ID] = c
	r.started = append(r.started, spec)
	cp := *c
	return &cp, nil
}

func (r *fakeRuntime) Inspect(_ context.Context, id string) (*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[id]
	if !ok {
		return nil, engine.Errorf(engine.ENOTFOUND, "no container %s", id)
	}
	cp := *c
	return &cp, nil
}

func (r *fakeRuntime) Containers(_ context.Context, app string) ([]*engine.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*engine.Container
	for _, c := range r.containers {
		if app == "" || c.App == app {
			cp := *c
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (r *fakeRuntime) Stop(_ context.Context, id string, _ time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.containers, id)
	return nil
}

func (r *fakeRuntime) Logs(context.Context, string, int) (string, error) {
	return "boot log line", nil
}

func (r *fakeRuntime) RemoveApp(context.Context, string) error { return nil }

func (r *fakeRuntime) Events(ctx context.Context) <-chan engine.RuntimeEvent {
	out := make(chan engine.RuntimeEvent)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-r.events:
				out <- ev
			}
		}
	}()
	return out
}

// running returns the running containers of app.
func (r *fakeRuntime) running(app string) []*engine.Container {
	cs, _ := r.Containers(context.Background(), app)
	var out []*engine.Container
	for _, c := range cs {
		if c.Running {
			out = append(out, c)
		}
	}
	return out
}

// fakeBuilder returns the image named by the pushed commit, or fails when
// the commit is "broken". A test can hold builds with gate.
type fakeBuilder struct {
	gate chan struct{}
}

func (b *fakeBuilder) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	fmt.Fprintf(req.Output, "building %s\n", req.Commit)
	if b.gate != nil {
		select {
		case <-b.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if req.Commit == "broken" {
		return nil, engine.Errorf(engine.EDEPLOYFAILED, "Dockerfile build failed: step 2 exited 1")
	}
	return &engine.Image{Ref: req.Commit, Method: "dockerfile", Port: 8080}, nil
}

// fakeRouter records routes and drains.
type fakeRouter struct {
	mu      sync.Mutex
	routes  map[string]engine.Route
	drained []string
}

func newFakeRouter() *fakeRouter { return &fakeRouter{routes: map[string]engine.Route{}} }

func (r *fakeRouter) SetRoute(rt engine.Route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[rt.App] = rt
}

func (r *fakeRouter) RemoveRoute(app string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.routes, app)
}

func (r *fakeRouter) Drain(_ context.Context, addr string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drained = append(r.drained, addr)
	return nil
}

func (r *fakeRouter) route(app string) (engine.Route, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt, ok := r.routes[app]
	return rt, ok
}

// fakeHealth is healthy unless the container's image is "unhealthy"; it
// looks the image up in the runtime by address.
type fakeHealth struct{ rt *fakeRuntime }

func (h fakeHealth) Check(_ context.Context, addr, _ string) error {
	h.rt.mu.Lock()
	defer h.rt.mu.Unlock()
	for _, c := range h.rt.containers {
		if c.Addr == addr && c.Image == "unhealthy" {
			return fmt.Errorf("GET / answered 500")
		}
	}
	return nil
}

// fakeSource is a commit with no files.
type fakeSource struct{}

func (fakeSource) Archive(context.Context, io.Writer) error { return nil }
func (fakeSource) ReadFile(context.Context, string) ([]byte, error) {
	return nil, engine.Errorf(engine.ENOTFOUND, "no such file")
}

type fakeRepos struct{ removed []string }

func (r *fakeRepos) RemoveRepository(_ context.Context, app string) error {
	r.removed = append(r.removed, app)
	return nil
}
