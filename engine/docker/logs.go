package docker

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// Logs implements engine.Runtime: the last n lines of stdout and stderr,
// interleaved as the container wrote them. n <= 0 returns "".
func (r *Runtime) Logs(ctx context.Context, id string, n int) (string, error) {
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return "", err
	}
	if n <= 0 {
		return "", nil
	}
	rc, err := r.cli.ContainerLogs(ctx, info.ID, container.LogsOptions{
		ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n),
	})
	if err != nil {
		return "", r.wrap("read container logs", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := stdcopy.StdCopy(&buf, &buf, rc); err != nil {
		return "", fmt.Errorf("demultiplex container logs: %w", err)
	}
	return buf.String(), nil
}
