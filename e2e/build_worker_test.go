package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/syncbuf"
)

// buildingMarker starts the Go buildpack's output: the lifecycle is in its
// build step.
const buildingMarker = "---> Go ("

// TestBuildWorkerStopsWithAbortedPush aborts a push during a buildpacks
// build: the build's process ends, and no container or network of the
// build is left.
func TestBuildWorkerStopsWithAbortedPush(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := appRepo(t, "go")
	cmd := s.pushCommand(repo, "aborted")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	waitFor(t, 90*time.Second, "the build to run", func() bool { return strings.Contains(out.String(), buildingMarker) })
	workers := buildWorkers(s.cmd.Process.Pid)
	require.Len(t, workers, 1, "the build runs in one child process of the daemon")

	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)) // git and its ssh
	_ = cmd.Wait()
	waitFor(t, 40*time.Second, "the build process to end", func() bool { return processGone(workers[0]) })
	waitFor(t, 20*time.Second, "the build's containers and network to go", func() bool { return len(s.buildLeftovers(t)) == 0 })
	s.mustPush(repo, "aborted") // and the app builds again
	assert.Contains(t, s.body("aborted", "/"), "Hello from the go sample")
	assert.Empty(t, buildWorkers(s.cmd.Process.Pid), "no build process is left once the push returned")
}

// TestBuildWorkerDiesWithTheDaemon kills the daemon with SIGKILL during a
// buildpacks build: the build's process does not linger, it removes its
// containers, and the restarted daemon builds the app.
func TestBuildWorkerDiesWithTheDaemon(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := appRepo(t, "go")
	s.pushUntil(repo, "orphan", buildingMarker)
	workers := buildWorkers(s.cmd.Process.Pid)
	require.Len(t, workers, 1, "the build runs in one child process of the daemon")
	env := processEnv(t, workers[0])
	assert.NotContains(t, env, "QUAYSIDE_DATA=", "the build process gets no more of the daemon's environment than it needs")
	for _, f := range openFiles(workers[0]) {
		private := strings.HasPrefix(f, filepath.Join(s.data, "tmp")+"/") // its own extracted tree
		assert.False(t, strings.HasPrefix(f, s.data) && !private, "the build process holds %s of the data dir (the store, keys)", f)
	}

	s.stop(syscall.SIGKILL)
	waitFor(t, 40*time.Second, "the orphaned build process to end", func() bool { return processGone(workers[0]) })
	assert.Empty(t, s.buildLeftovers(t), "the build process removed its containers and network")
	s.start()
	s.mustPush(repo, "orphan")
	assert.Contains(t, s.body("orphan", "/"), "Hello from the go sample")
}

// TestKilledBuildWorkerFailsThePush kills the build process with SIGKILL,
// as the kernel's out-of-memory killer would: the push fails at once with
// a message that says so, and the daemon removes what the build left.
func TestKilledBuildWorkerFailsThePush(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := appRepo(t, "go")
	cmd := s.pushCommand(repo, "killed")
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	waitFor(t, 90*time.Second, "the build to run", func() bool { return strings.Contains(out.String(), buildingMarker) })
	workers := buildWorkers(s.cmd.Process.Pid)
	require.Len(t, workers, 1)
	require.NoError(t, syscall.Kill(workers[0], syscall.SIGKILL))

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.Error(t, err, "the push fails:\n%s", out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("the push hangs after its build process was killed:\n%s", out.String())
	}
	assert.Contains(t, out.String(), "the build stopped unexpectedly: its process was killed (SIGKILL")
	assert.NotContains(t, out.String(), "Internal error")
	waitFor(t, 20*time.Second, "the build's containers and network to go", func() bool { return len(s.buildLeftovers(t)) == 0 })
	s.mustPush(repo, "killed")
	assert.Contains(t, s.body("killed", "/"), "Hello from the go sample")
}

// buildWorkers returns the pids of the build processes whose parent is pid.
func buildWorkers(pid int) []int {
	var out []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil || parentOf(child) != pid {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		if strings.Contains(string(cmdline), "build-worker") {
			out = append(out, child)
		}
	}
	return out
}

// parentOf returns the parent pid of pid, 0 when it cannot be read.
func parentOf(pid int) int {
	f := procStat(pid)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// procStat returns the fields of /proc/pid/stat after the command name:
// the state first.
func procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// processGone reports whether pid has ended (a zombie has).
func processGone(pid int) bool {
	f := procStat(pid)
	return len(f) == 0 || f[0] == "Z"
}

// processEnv returns the environment of pid, one KEY=value a line.
func processEnv(t *testing.T, pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), "\x00", "\n")
}

// buildLeftovers lists the build containers and networks of s.
func (s *server) buildLeftovers(t *testing.T) []string {
	cli := dockerClient(t)
	defer cli.Close()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", "io.quayside.build.instance="+s.instance))
	var out []string
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	require.NoError(t, err)
	for _, c := range cs {
		out = append(out, "container "+strings.Join(c.Names, ",")+" "+c.State)
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	require.NoError(t, err)
	for _, n := range ns {
		out = append(out, "network "+n.Name)
	}
	return out
}

// openFiles returns what the open file descriptors of pid point at.
func openFiles(pid int) []string {
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	var out []string
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil {
			out = append(out, target)
		}
	}
	return out
}
