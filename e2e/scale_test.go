package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaleApps is past the ~31 bridge networks Docker's default address pools
// hold, where one more app used to fail with "Internal error".
const scaleApps = 40

// TestFortyApps deploys 40 apps on one server, checks each answers through
// the proxy from a network of Quayside's own pool, then destroys them all and
// checks nothing of theirs is left in Docker, and that the daemon's
// goroutines and open files are back where they started.
func TestFortyApps(t *testing.T) {
	// Not parallel: forty builds of one Dockerfile at once next to other
	// tests meet Docker's classic-builder race (an intermediate image
	// removed mid-build, moby/moby#29011) too often.
	s := startServer(t)
	before := s.handles()
	apps := make([]string, scaleApps)
	for i := range apps {
		apps[i] = fmt.Sprintf("scale%02d", i)
	}
	repo := sampleRepo(t, "scale")
	parallel(t, apps, func(app string) error {
		out, err := s.push(repo, app)
		if err != nil {
			return fmt.Errorf("push %s: %v\n%s", app, err, out)
		}
		return nil
	})

	pool := netip.MustParsePrefix("10.213.0.0/16")
	seen := map[string]string{}
	for _, app := range apps {
		assert.Equal(t, "scale", s.body(app, "/"), "app %s through the proxy", app)
		subnet := strings.TrimSpace(dockerOut(t, "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "qs-"+s.instance+"-"+app))
		p, err := netip.ParsePrefix(subnet)
		require.NoError(t, err, "subnet of %s's network", app)
		assert.True(t, pool.Contains(p.Addr()) && p.Bits() == 26, "%s's network has %s, not a /26 of %s", app, p, pool)
		assert.Empty(t, seen[subnet], "%s and %s share %s", app, seen[subnet], subnet)
		seen[subnet] = app
	}

	parallel(t, apps, func(app string) error {
		out, err := s.cli("apps", "destroy", app, "--confirm", app)
		if err != nil {
			return fmt.Errorf("destroy %s: %v\n%s", app, err, out)
		}
		return nil
	})
	label := "label=io.quayside.instance=" + s.instance
	assert.Empty(t, dockerOut(t, "ps", "-aq", "--filter", label), "containers left")
	assert.Empty(t, dockerOut(t, "network", "ls", "-q", "--filter", label), "networks left")
	assert.Empty(t, dockerOut(t, "network", "ls", "-q", "--filter", "name=qs-"+s.instance), "networks left")
	assert.Empty(t, dockerOut(t, "image", "ls", "-q", "--filter", label), "images left")
	assert.Empty(t, dockerOut(t, "image", "ls", "-q", "--filter", "reference=qs-"+s.instance+"/*"), "images left")
	assert.Empty(t, dockerOut(t, "volume", "ls", "-q", "--filter", "name=qs-"+s.instance), "volumes left")

	// Back near the start: within 10% + 5, as the 200-app bench asks.
	var after daemonHandles
	back := func() bool {
		after = s.handles()
		return after.goroutines <= before.goroutines*11/10+5 && after.files <= before.files*11/10+5
	}
	deadline := time.Now().Add(30 * time.Second)
	for !back() && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("goroutines %d, open files %d at the start; %d and %d after destroying %d apps", before.goroutines, before.files, after.goroutines, after.files, scaleApps)
	assert.True(t, back(), "goroutines and open files after destroying every app: %+v, at the start: %+v (open files now: %v)",
		after, before, fileKinds(t, s.cmd.Process.Pid, s.data))
}

// daemonHandles is what the daemon holds that must not grow for good.
type daemonHandles struct{ goroutines, files int }

// handles reads the daemon's goroutines (from /metrics) and open files.
func (s *server) handles() daemonHandles {
	s.t.Helper()
	h := daemonHandles{goroutines: int(counter(s.scrape(), "go_goroutines", nil))}
	for _, n := range fileKinds(s.t, s.cmd.Process.Pid, s.data) {
		h.files += n
	}
	return h
}

// parallel runs do for each app, four at a time, and fails t with the errors.
func parallel(t *testing.T, apps []string, do func(app string) error) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	slots := make(chan struct{}, 4)
	for _, app := range apps {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if err := do(app); err != nil {
				mu.Lock()
				errs = append(errs, err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs, strings.Join(errs, "\n"))
}

// dockerOut runs the docker CLI and returns its output.
func dockerOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := execOut("docker", args...)
	require.NoError(t, err, "docker %v", args)
	return strings.TrimSpace(out)
}

// TestAppSubnetsFull fills a pool of one subnet: the next first push is
// refused in plain words, and destroying the first app frees its subnet.
func TestAppSubnetsFull(t *testing.T) {
	s := startServer(t, "--app-subnets", "10.251.9.0/26")
	repo := sampleRepo(t, "full")
	s.mustPush(repo, "first")
	out, err := s.push(repo, "second")
	require.Error(t, err)
	assert.Contains(t, out, "no network address left for app second")
	assert.Contains(t, out, "this server has 1 app(s)")
	assert.Contains(t, out, "--app-subnets")
	assert.NotContains(t, out, "Internal error")

	s.mustCLI("apps", "destroy", "first", "--confirm", "first")
	s.mustPush(repo, "second")
	assert.Equal(t, "full", s.body("second", "/"))
}

// TestAppSubnetsCollision starts servers whose pool is unusable: each
// refuses at once and says why, instead of failing pushes later.
func TestAppSubnetsCollision(t *testing.T) {
	name := "qs-e2e-foreign-" + fmt.Sprint(time.Now().UnixNano()%100000)
	dockerOut(t, "network", "create", "--subnet", "10.252.3.0/24", name)
	t.Cleanup(func() { _, _ = execOut("docker", "network", "rm", name) })
	for _, tc := range []struct{ subnets, want string }{
		{"10.252.0.0/16", "collide with Docker network " + name + " (10.252.3.0/24)"},
		{"172.17.0.0/16", "overlaps Docker's default address pool"},
		{"10.252.0.0/27", "smaller than one /26"},
		{"fd00::/48", "not IPv4"},
	} {
		t.Run(tc.subnets, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, quaysideBin, "server", "--domain", "localhost",
				"--http-addr", freeAddr(t), "--https-addr", freeAddr(t), "--ssh-addr", freeAddr(t),
				"--app-subnets", tc.subnets)
			cmd.Env = append(os.Environ(), "QUAYSIDE_DATA="+t.TempDir())
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the server started:\n%s", out)
			require.NoError(t, ctx.Err(), "the server did not exit")
			assert.Contains(t, string(out), tc.want)
			assert.Contains(t, string(out), "app-subnets")
		})
	}
}
