package docker

import (
	"context"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/quayside/quayside/engine"
)

// FollowLogs implements engine.LogFollower. It delivers the container's
// stdout and stderr lines stamped at or after since (all of them when
// since is zero or before 1970), in the order Docker logged them, and goes
// on delivering new ones until the container stops, then returns nil. A
// container that is not running gets what it printed, then nil at once.
// When ctx ends it returns ctx's error; a line still open then is lost.
//
// Each line carries the time Docker logged it, the stream, and App,
// Process, Replica and Release from the container's labels; Seq is left
// to the log store. Text has no newline, a carriage return before the
// newline is dropped, and invalid UTF-8 and control characters other than
// tab and escape become U+FFFD. A line whose text is longer than
// engine.MaxLogLineBytes arrives as several lines of at most that many
// bytes, in order, all with the time of the line (see lineBuilder); Docker
// itself cuts lines at 16 KiB, and those pieces are joined first, so the
// cuts fall where this limit puts them, not where Docker's did. (The
// contract asks for every piece but the last to be marked as continued;
// LogLine has no field for that yet, so nothing marks them.) Output the
// container ended without a newline is delivered as a line at the end.
//
// deliver is called on FollowLogs's goroutine, once per line, never after
// FollowLogs returned; it must be non-nil and must not block (hand the
// line to something that never blocks, like engine.LogStore.Append):
// while it runs nothing is read from the daemon, which then holds its log
// reader for the container.
//
// Errors: a missing container, or one of another instance, is ENOTFOUND
// (one-off containers are found); an unreachable daemon is EUNAVAILABLE;
// a broken stream, or an error the daemon reported in it, is an error
// wrapped as "follow container logs: ...". Containers with a TTY (which
// Quayside never makes) are not supported: their output is not
// multiplexed.
func (r *Runtime) FollowLogs(ctx context.Context, id string, since time.Time, deliver func(engine.LogLine)) error {
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return err
	}
	rc, err := r.cli.ContainerLogs(ctx, info.ID, followOptions(since))
	if err != nil {
		return r.logsError(ctx, id, err)
	}
	defer rc.Close()
	tmpl := lineTemplate(info.Config.Labels)
	stdout, stderr := tmpl, tmpl
	stdout.Stream, stderr.Stream = engine.StreamStdout, engine.StreamStderr
	err = newLogStream(rc, newLineBuilder(stdout, deliver), newLineBuilder(stderr, deliver)).run()
	if err != nil {
		return r.logsError(ctx, id, err)
	}
	return nil
}

// logsError is the error FollowLogs returns for err: ctx's error once ctx
// has ended, ENOTFOUND when the container went away meanwhile.
func (r *Runtime) logsError(ctx context.Context, id string, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case isNotFound(err):
		return notFound(id)
	}
	return r.wrap("follow container logs", err)
}

// followOptions asks for both streams with times, from since on, followed.
func followOptions(since time.Time) container.LogsOptions {
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: true}
	if since.Unix() > 0 {
		opts.Since = sinceArg(since)
	}
	return opts
}

// lineTemplate is what every line of a container with labels carries.
func lineTemplate(labels map[string]string) engine.LogLine {
	c := identity("", "", labels)
	return engine.LogLine{App: c.App, Process: c.Process, Replica: c.Replica, Release: c.Release}
}
