package swarm

import (
	"context"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
)

// watchEvery is how often Events compares the running tasks.
const watchEvery = time.Second

// Events implements engine.Runtime: the events of plain containers, and in
// a cluster a start event when a service gets a new running task (on any
// node) and a die event when its running task goes away, with the
// service's id. The events of task containers on this server are left out:
// the task watch reports them once, by service.
func (r *Runtime) Events(ctx context.Context) <-chan engine.RuntimeEvent {
	out := make(chan engine.RuntimeEvent, 64)
	local := r.Runtime.Events(ctx)
	go func() {
		defer close(out)
		tick := time.NewTicker(watchEvery)
		defer tick.Stop()
		seen := map[string]swarm.Task{}
		for {
			select {
			case ev, ok := <-local:
				if !ok {
					return
				}
				if !strings.HasPrefix(ev.Container.Name, servicePrefix) {
					send(ctx, out, ev)
				}
			case <-tick.C:
				seen = r.watchTasks(ctx, seen, out)
			}
		}
	}()
	return out
}

// watchTasks compares the running tasks with seen, sends what changed and
// returns the new picture; on error it keeps seen.
func (r *Runtime) watchTasks(ctx context.Context, seen map[string]swarm.Task, out chan<- engine.RuntimeEvent) map[string]swarm.Task {
	m, err := r.current(ctx)
	if err != nil || !m.active {
		return seen
	}
	r.keepRegistry(ctx)
	now, err := r.taskStates(ctx)
	if err != nil {
		r.log.Warn("watch tasks", "err", err)
		return seen
	}
	for svc, t := range seen {
		if n, ok := now[svc]; !ok || n.ID != t.ID {
			send(ctx, out, taskEvent(engine.EventDie, svc, t))
		}
	}
	for svc, t := range now {
		if o, ok := seen[svc]; !ok || o.ID != t.ID {
			send(ctx, out, taskEvent(engine.EventStart, svc, t))
		}
	}
	return now
}

// taskEvent is an event of service svc whose task is t.
func taskEvent(action, svc string, t swarm.Task) engine.RuntimeEvent {
	c := docker.Identity(svc, "", t.Spec.ContainerSpec.Labels)
	ev := engine.RuntimeEvent{Action: action, Container: *c, Time: time.Now()}
	if st := t.Status.ContainerStatus; st != nil {
		ev.ExitCode = st.ExitCode
	}
	return ev
}

// send delivers ev unless ctx ends first.
func send(ctx context.Context, out chan<- engine.RuntimeEvent, ev engine.RuntimeEvent) {
	select {
	case out <- ev:
	case <-ctx.Done():
	}
}
