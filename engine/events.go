package engine

import (
	"context"
	"time"
)

// Event kinds: what happened to an app, as the platform saw it.
const (
	EventDeployStarted   = "deploy.started"
	EventDeploySucceeded = "deploy.succeeded"
	EventDeployFailed    = "deploy.failed"
	EventRollback        = "rollback"
	EventConfigChanged   = "config.changed"
	EventScaled          = "scaled"
	EventLimitsChanged   = "limits.changed"
	EventCrashed         = "process.crashed"
	EventRestarted       = "process.restarted"
	EventOutOfMemory     = "process.oom"
	EventCrashLooping    = "process.crash_looping"
	EventDestroyed       = "app.destroyed"
	// Server events: App is "" unless one app is concerned.
	EventDiskLow            = "server.disk_low"
	EventCertificateFailing = "certificate.failing"
)

// Event is one thing that happened to an app.
type Event struct {
	ID      int64
	App     string
	Kind    string
	Release int
	// Process is "web.1"-style when the event concerns one container.
	Process string
	// Message says what happened in words.
	Message string
	Actor   string
	Time    time.Time
}

// EventStore persists events.
type EventStore interface {
	// AddEvent stores ev, setting its ID (and Time when zero).
	AddEvent(ctx context.Context, ev *Event) error
	// ListEvents returns up to limit events of app (all apps when ""),
	// newest first, older than before when before > 0.
	ListEvents(ctx context.Context, app string, before int64, limit int) ([]*Event, error)
}

// EventSink receives events as they happen (alerts). Event must not block.
type EventSink interface {
	Event(ev Event)
}

// BuildSink is an EventSink that also wants each build's result and
// duration (metrics). BuildFinished must not block.
type BuildSink interface {
	BuildFinished(app string, took time.Duration, err error)
}

// buildFinished tells the sinks that want it how a build went.
func (e *Engine) buildFinished(app string, took time.Duration, err error) {
	for _, s := range e.cfg.Sinks {
		if b, ok := s.(BuildSink); ok {
			b.BuildFinished(app, took, err)
		}
	}
}

// ReleaseOutputStore keeps what each release printed: the build output and
// the deploy steps.
type ReleaseOutputStore interface {
	SaveReleaseOutput(ctx context.Context, app string, number int, output string) error
	// ReleaseOutput returns "" when nothing was kept.
	ReleaseOutput(ctx context.Context, app string, number int) (string, error)
}
