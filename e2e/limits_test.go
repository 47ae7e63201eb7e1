package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capNetRaw is the bit of CAP_NET_RAW in a capability mask.
const capNetRaw = 1 << 13

// TestLimits sets limits on a process type and checks that Docker runs
// the containers with them, that ps shows them with the use, that apps
// cannot open raw sockets, and that running out of memory is an event in
// plain words.
func TestLimits(t *testing.T) {
	s := startServer(t, "--allow-webhook-to", "127.0.0.0/8") // the OOM alert's receiver is on loopback
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "app")

	t.Run("containers run with the server's defaults", func(t *testing.T) {
		host := s.webHostConfig("app")
		assert.Equal(t, int64(512<<20), host.Memory)
		assert.Equal(t, int64(512<<20), host.MemorySwap, "no swap beyond the limit")
		require.NotNil(t, host.PidsLimit)
		assert.Equal(t, int64(512), *host.PidsLimit)
		assert.Zero(t, host.NanoCPUs, "no CPU cap by default")
		assert.Contains(t, host.CapDrop, "CAP_NET_RAW")
		assert.Contains(t, host.SecurityOpt, "no-new-privileges:true")
		assert.Contains(t, s.mustCLI("ps", "limits", "app"), "memory=512 MiB (default) cpus=none (default) pids=512 (default)")
	})

	t.Run("setting limits replaces the containers without downtime", func(t *testing.T) {
		var failed, served atomic.Int64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if code, _, err := s.get("app", "/"); err != nil || code != http.StatusOK {
					failed.Add(1)
				} else {
					served.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		out := s.mustCLI("ps", "limits", "app", "web", "memory=48M", "cpus=0.5", "pids=128")
		close(stop)
		<-done
		assert.Contains(t, out, "app web now runs with memory=48 MiB cpus=0.5 pids=128")
		assert.Zero(t, failed.Load(), "requests failed during the change (%d served)", served.Load())
		host := s.webHostConfig("app")
		assert.Equal(t, int64(48<<20), host.Memory)
		assert.Equal(t, int64(48<<20), host.MemorySwap)
		assert.Equal(t, int64(5e8), host.NanoCPUs)
		require.NotNil(t, host.PidsLimit)
		assert.Equal(t, int64(128), *host.PidsLimit)
		assert.Len(t, s.containers("app"), 1, "the old container is gone")
	})

	t.Run("ps shows the limits and the use", func(t *testing.T) {
		var ps string
		waitFor(t, 40*time.Second, "a memory sample in ps", func() bool {
			ps = s.mustCLI("ps", "app")
			return strings.Contains(ps, "MiB / 48 MiB") && !strings.Contains(ps, "- / 48 MiB")
		})
		t.Logf("quayside ps app:\n%s", ps)
		assert.Contains(t, ps, "Limits of web: memory=48 MiB cpus=0.5 pids=128")
		assert.Contains(t, ps, "% / 50%", "CPU used against the limit of half a CPU")
	})

	t.Run("bad limits are refused with what to write", func(t *testing.T) {
		cases := map[string][]any{
			"the minimum is 16 MiB":              {"ps", "limits", "app", "web", "memory=4M"},
			"write a number and a unit":          {"ps", "limits", "app", "web", "memory=lots"},
			`"disk" is not a limit`:              {"ps", "limits", "app", "web", "disk=1G"},
			`app has no process type "wrker"`:    {"ps", "limits", "app", "wrker", "memory=64M"},
			"pids=-3 is out of range: use 16 to": {"ps", "limits", "app", "web", "pids=-3"},
		}
		for want, args := range cases {
			code, out := s.exitStatus(args...)
			assert.Equal(t, 2, code, "%v: %s", args, out)
			assert.Contains(t, out, want)
		}
		assert.Equal(t, int64(48<<20), s.webHostConfig("app").Memory, "nothing changed")
	})

	t.Run("apps cannot open raw sockets", func(t *testing.T) {
		for name, out := range map[string]string{
			"web":     s.body("app", "/privileges"),
			"one-off": s.mustCLI("run", "app", "--", "/sampleapp", "privileges"),
		} {
			assert.Contains(t, out, "raw socket: operation not permitted", name)
			assert.Zero(t, capEff(t, out)&capNetRaw, "%s: NET_RAW is not effective", name)
		}
	})

	t.Run("running out of memory is an event and an alert in plain words", func(t *testing.T) {
		hook := newHookReceiver(t)
		s.mustCLI("alerts", "add", hook.srv.URL+"/hook")
		s.mustCLI("ps", "limits", "app", "web", "memory=32M")
		_, _, _ = s.get("app", "/alloc?mb=128") // killed half way
		want := "web.1 was killed: out of memory at its 32 MiB limit"
		waitFor(t, 30*time.Second, "the OOM event", func() bool {
			return strings.Contains(s.mustCLI("events", "app"), want)
		})
		waitFor(t, 30*time.Second, "the webhook call", func() bool { return hook.got("process.oom") })
		waitFor(t, 30*time.Second, "the restarted web.1 to serve", func() bool {
			code, _, err := s.get("app", "/")
			return err == nil && code == http.StatusOK
		})
	})

	t.Run("new server defaults reach running containers", func(t *testing.T) {
		s.mustCLI("ps", "limits", "app", "web", "pids=default")
		s.stop(syscall.SIGTERM)
		s.flags = append(s.flags, "--default-pids", "256")
		s.start()
		var host *container.HostConfig
		waitFor(t, 90*time.Second, "the web container with 256 pids", func() bool {
			names := s.containers("app")
			if len(names) != 1 {
				return false // the replacement is under way
			}
			host = s.hostConfigOf(names[0])
			return host != nil && host.PidsLimit != nil && *host.PidsLimit == 256
		})
		assert.Equal(t, int64(32<<20), host.Memory, "the app's own limits stay")
		assert.Equal(t, "v1", s.body("app", "/"))
	})
}

// hostConfigOf inspects the container name; nil when it is gone (it was
// being replaced).
func (s *server) hostConfigOf(name string) *container.HostConfig {
	s.t.Helper()
	cli := dockerClient(s.t)
	defer cli.Close()
	info, err := cli.ContainerInspect(context.Background(), name)
	if err != nil {
		return nil
	}
	return info.HostConfig
}

// webHostConfig inspects the running web container of app.
func (s *server) webHostConfig(app string) *container.HostConfig {
	s.t.Helper()
	cli := dockerClient(s.t)
	defer cli.Close()
	names := s.containers(app)
	require.Len(s.t, names, 1, "one container of %s", app)
	info, err := cli.ContainerInspect(context.Background(), names[0])
	require.NoError(s.t, err)
	return info.HostConfig
}

// capEff reads the CapEff line of the sample app's privileges report.
func capEff(t *testing.T, out string) uint64 {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no CapEff in %q", out)
	return 0
}
