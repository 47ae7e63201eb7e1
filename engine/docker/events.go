package docker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/quayside/quayside/engine"
)

// Reconnection back-off of Events.
const (
	eventsMinBackoff = 250 * time.Millisecond
	eventsMaxBackoff = 15 * time.Second
	eventsBuffer     = 64
)

// Events implements engine.Runtime: start, die and oom events of this
// instance's containers, one-off containers (Run) excepted. After an error it reconnects, asking for the events
// since the last one it delivered, so none are lost while the daemon
// restarts. The goroutine it starts ends, and the channel closes, when ctx
// ends.
func (r *Runtime) Events(ctx context.Context) <-chan engine.RuntimeEvent {
	out := make(chan engine.RuntimeEvent, eventsBuffer)
	go r.pumpEvents(ctx, out)
	return out
}

// pumpEvents subscribes again and again until ctx ends.
func (r *Runtime) pumpEvents(ctx context.Context, out chan<- engine.RuntimeEvent) {
	defer close(out)
	since := time.Now()
	backoff := eventsMinBackoff
	for ctx.Err() == nil {
		last, delivered, err := r.subscribe(ctx, since, out)
		if delivered {
			since, backoff = last, eventsMinBackoff
		}
		if ctx.Err() != nil {
			return
		}
		r.log.Warn("docker events interrupted; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, eventsMaxBackoff)
	}
}

// subscribe forwards events after since until the stream fails or ctx
// ends. It returns the time just after the last event it delivered.
func (r *Runtime) subscribe(ctx context.Context, since time.Time, out chan<- engine.RuntimeEvent) (time.Time, bool, error) {
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, errs := r.cli.Events(sub, events.ListOptions{Since: sinceArg(since), Filters: r.eventFilters()})
	last, delivered := since, false
	for {
		select {
		case <-ctx.Done():
			return last, delivered, ctx.Err()
		case err := <-errs:
			return last, delivered, err
		case m := <-msgs:
			ev, ok := r.toEvent(m)
			if !ok {
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return last, delivered, ctx.Err()
			}
			last, delivered = time.Unix(0, m.TimeNano+1), true
		}
	}
}

// eventFilters select the start, die and oom events of our containers.
func (r *Runtime) eventFilters() filters.Args {
	f := scope(r.instance, "")
	f.Add("type", string(events.ContainerEventType))
	for _, a := range []events.Action{events.ActionStart, events.ActionDie, events.ActionOOM} {
		f.Add("event", string(a))
	}
	return f
}

// toEvent maps a Docker event; ok is false for events that are not ours,
// and for those of one-off and add-on containers, which are not app processes.
func (r *Runtime) toEvent(m events.Message) (engine.RuntimeEvent, bool) {
	attrs := m.Actor.Attributes
	if m.Type != events.ContainerEventType || !ownedBy(attrs, r.instance) || isOneOff(attrs) || isAddon(attrs) {
		return engine.RuntimeEvent{}, false
	}
	ev := engine.RuntimeEvent{
		Action:    string(m.Action),
		Container: *identity(m.Actor.ID, attrs["name"], attrs),
		Time:      time.Unix(0, m.TimeNano),
	}
	ev.Container.Image = attrs["image"]
	if code, err := strconv.Atoi(attrs["exitCode"]); err == nil {
		ev.ExitCode = code
	}
	return ev, true
}

// sinceArg formats t as the seconds.nanoseconds Docker takes for since.
func sinceArg(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}
