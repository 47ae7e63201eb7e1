package swarm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/quayside/quayside/engine"
)

// Logs implements engine.Runtime: for a service, the last n lines of its
// tasks, whichever node they ran on.
func (r *Runtime) Logs(ctx context.Context, id string, n int) (string, error) {
	if !isService(id) {
		return r.Runtime.Logs(ctx, id, n)
	}
	if _, _, err := r.inspectService(ctx, id); err != nil || n <= 0 {
		return "", err
	}
	rc, err := r.cli.ServiceLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n)})
	if err != nil {
		return "", dockerError("read service logs", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		return "", fmt.Errorf("demultiplex service logs: %w", err)
	}
	return buf.String(), nil
}

// localTask returns the container of service id's running task when it
// runs on this server.
func (r *Runtime) localTask(ctx context.Context, id string) (string, bool, error) {
	f := filters.NewArgs(filters.Arg("label", labelService+"="+id))
	list, err := r.cli.ContainerList(ctx, container.ListOptions{Filters: f})
	if err != nil {
		return "", false, dockerError("list task containers", err)
	}
	if len(list) == 0 {
		return "", false, nil
	}
	return list[0].ID, true, nil
}

// FollowLogs implements engine.LogFollower. For a service it follows the
// container of its running task: through the plain runtime when the task
// runs on this server, through Swarm's service logs otherwise. It returns
// when the task stops (the next task is followed from its start event).
func (r *Runtime) FollowLogs(ctx context.Context, id string, since time.Time, deliver func(engine.LogLine)) error {
	if !isService(id) {
		return r.Runtime.FollowLogs(ctx, id, since, deliver)
	}
	c, _, err := r.inspectService(ctx, id)
	if err != nil {
		return err
	}
	if cid, ok, err := r.localTask(ctx, id); err != nil || ok {
		if err != nil {
			return err
		}
		return r.Runtime.FollowLogs(ctx, cid, since, deliver)
	}
	return r.followRemote(ctx, c, since, deliver)
}

// followRemote follows a service's logs through Swarm until the stream or
// ctx ends.
func (r *Runtime) followRemote(ctx context.Context, c *engine.Container, since time.Time, deliver func(engine.LogLine)) error {
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: true, Timestamps: true}
	if !since.IsZero() && since.Unix() > 0 {
		opts.Since = strconv.FormatInt(since.Unix(), 10)
	}
	rc, err := r.cli.ServiceLogs(ctx, c.ID, opts)
	if err != nil {
		return dockerError("follow service logs", err)
	}
	defer rc.Close()
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(outW, errW, rc)
		outW.CloseWithError(err)
		errW.CloseWithError(err)
	}()
	done := make(chan struct{})
	go func() { defer close(done); scanLines(errR, "stderr", c, since, deliver) }()
	scanLines(outR, "stdout", c, since, deliver)
	<-done
	return ctx.Err()
}

// maxRemoteLine bounds what scanLines keeps of one line: Docker's
// timestamp, a space and engine.MaxLogLineBytes of text.
const maxRemoteLine = 64 + engine.MaxLogLineBytes

// scanLines delivers the timestamped lines of rd, their text cut to
// engine.MaxLogLineBytes (the rest of a longer line is read and dropped).
// It reads rd to its end or error, whatever rd holds, so the writer of rd
// never blocks on it.
func scanLines(rd io.Reader, stream string, c *engine.Container, since time.Time, deliver func(engine.LogLine)) {
	br := bufio.NewReaderSize(rd, 64*1024)
	for {
		line, err := readCapped(br, maxRemoteLine)
		if len(line) > 0 {
			deliverLine(string(line), stream, c, since, deliver)
		}
		if err != nil {
			return
		}
	}
}

// readCapped reads one line of br and returns at most its first max
// bytes, without the line's end; the error is br's (io.EOF at the end).
func readCapped(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if room := max - len(line); room > 0 {
			line = append(line, frag[:min(len(frag), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), err
	}
}

// deliverLine delivers one line, "TIMESTAMP text", unless it is older than
// since or has no timestamp.
func deliverLine(line, stream string, c *engine.Container, since time.Time, deliver func(engine.LogLine)) {
	ts, text, _ := strings.Cut(line, " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || t.Before(since) {
		return
	}
	if len(text) > engine.MaxLogLineBytes {
		text = text[:engine.MaxLogLineBytes]
	}
	deliver(engine.LogLine{Time: t, App: c.App, Process: c.Process, Replica: c.Replica,
		Release: c.Release, Stream: stream, Text: engine.PlainText(text)})
}

// Stats implements engine.LogFollower: for a service, the stats of its
// task's container on this server. Tasks on other nodes have no sample
// (ENOTFOUND): Swarm does not relay stats.
func (r *Runtime) Stats(ctx context.Context, id string) (engine.ContainerStats, error) {
	if !isService(id) {
		return r.Runtime.Stats(ctx, id)
	}
	cid, ok, err := r.localTask(ctx, id)
	if err != nil {
		return engine.ContainerStats{}, err
	}
	if !ok {
		return engine.ContainerStats{}, engine.Errorf(engine.ENOTFOUND, "replica %s runs on another node: no stats", id)
	}
	return r.Runtime.Stats(ctx, cid)
}

// taskStates is the running task of each service of this instance.
func (r *Runtime) taskStates(ctx context.Context) (map[string]swarm.Task, error) {
	f := filters.NewArgs(filters.Arg("desired-state", "running"))
	tasks, err := r.cli.TaskList(ctx, swarm.TaskListOptions{Filters: f})
	if err != nil {
		return nil, dockerError("list tasks", err)
	}
	out := map[string]swarm.Task{}
	for _, t := range tasks {
		if t.Status.State == swarm.TaskStateRunning && t.Spec.ContainerSpec != nil && ownedBy(t.Spec.ContainerSpec.Labels, r.instance) {
			out[t.ServiceID] = t
		}
	}
	return out, nil
}
