package engine

import (
	"context"
	"strings"
	"time"
)

// emit records ev, shows it in the app's log stream, and tells the sinks.
// Its message and process pass through CleanText first: events are stored
// and sent clean. It never fails the caller: problems are logged.
func (e *Engine) emit(ctx context.Context, ev Event) {
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	ev.Message, ev.Process = CleanText(ev.Message), PlainText(ev.Process)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := e.cfg.Store.AddEvent(ctx, &ev); err != nil {
		e.log.Error("record event", "app", ev.App, "kind", ev.Kind, "err", err)
	}
	if e.cfg.Logs != nil && ev.App != "" {
		e.cfg.Logs.Append(LogLine{
			Time: ev.Time, App: ev.App, Process: "platform", Release: ev.Release,
			Stream: StreamPlatform, Text: "[" + ev.Kind + "] " + ev.Message,
		})
	}
	for _, s := range e.cfg.Sinks {
		s.Event(ev)
	}
}

// Report records an event seen outside the engine (disk space, a
// certificate renewal) like the engine's own: stored, shown in the app's
// log stream when it concerns an app, and passed to the sinks.
func (e *Engine) Report(ctx context.Context, ev Event) {
	e.emit(ctx, ev)
}

// Events lists up to limit events of app (every app when ""), newest first.
func (e *Engine) Events(ctx context.Context, app string, before int64, limit int) ([]*Event, error) {
	if app != "" {
		if _, err := e.FindApp(ctx, app); err != nil {
			return nil, err
		}
	} else if err := e.authorize(ctx, ActServer, ""); err != nil {
		return nil, err
	}
	return e.cfg.Store.ListEvents(ctx, app, before, limit)
}

// deployStarted records that rel's deploy began (what: "deploy of abc123
// as v4"); releaseEvent ends it. Every kind of release has both, so deploys
// are timed alike.
func (e *Engine) deployStarted(ctx context.Context, rel *Release, what string) {
	e.emit(ctx, Event{App: rel.App, Kind: EventDeployStarted, Release: rel.Number, Actor: rel.Author,
		Message: what + " started by " + rel.Author})
}

// releaseEvent is the event that ends a release's deploy.
func releaseEvent(rel *Release, err error) Event {
	ev := Event{App: rel.App, Release: rel.Number, Actor: rel.Author}
	switch {
	case err != nil:
		ev.Kind, ev.Message = EventDeployFailed, firstLine(ErrorMessage(err))
	case rel.Kind == KindRollback:
		ev.Kind, ev.Message = EventRollback, "rolled back to v"+itoa(rel.RollbackOf)+" as v"+itoa(rel.Number)+" by "+rel.Author
	case rel.Kind == KindPromote:
		ev.Kind, ev.Message = EventDeploySucceeded, "v"+itoa(rel.Number)+" is live, promoted from "+rel.PromotedFrom+" v"+itoa(rel.PromotedRelease)+" by "+rel.Author
	case rel.Kind == KindConfig:
		ev.Kind, ev.Message = EventConfigChanged, rel.Description+" by "+rel.Author+": v"+itoa(rel.Number)+" is live"
	default:
		ev.Kind, ev.Message = EventDeploySucceeded, "v"+itoa(rel.Number)+" ("+rel.Description+") is live, pushed by "+rel.Author
	}
	return ev
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
