package docker

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/quayside/quayside/internal/dockernames"
)

// runHelper runs cmd as root in a throwaway container of image that shares
// the volumes of the (stopped) container id and has no network, waits for
// it, and removes it. A non-zero exit is a *ToolError with its last lines.
func (r *Runtime) runHelper(ctx context.Context, id, image string, cmd []string) error {
	created, err := r.cli.ContainerCreate(ctx, &container.Config{
		Image: image, Entrypoint: cmd[:1], Cmd: cmd[1:], User: "0",
		Labels: map[string]string{dockernames.LabelInstance: r.instance, LabelOneOff: "true"},
	}, &container.HostConfig{VolumesFrom: []string{id}, NetworkMode: "none"}, nil, nil, "")
	if err != nil {
		return r.wrap("create helper container", err)
	}
	defer func() {
		rmCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = r.forceRemove(rmCtx, created.ID)
	}()
	waitC, errC := r.cli.ContainerWait(ctx, created.ID, container.WaitConditionNextExit)
	if err := r.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return r.wrap("start helper container", err)
	}
	select {
	case res := <-waitC:
		if res.StatusCode != 0 {
			return &ToolError{Tool: cmd[0] + " (helper)", Status: int(res.StatusCode), Stderr: r.helperOutput(ctx, created.ID)}
		}
		return nil
	case err := <-errC:
		return r.wrap("wait for helper container", err)
	}
}

// helperOutput returns the last lines a helper container wrote.
func (r *Runtime) helperOutput(ctx context.Context, id string) string {
	rc, err := r.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "20"})
	if err != nil {
		return fmt.Sprintf("(no output: %v)", err)
	}
	defer rc.Close()
	out := &tailBuffer{max: stderrKeep}
	_, _ = stdcopy.StdCopy(out, out, rc)
	return out.lastLines(8)
}
