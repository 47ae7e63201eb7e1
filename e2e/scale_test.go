package e2e

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaleApps is past the ~31 bridge networks Docker's default address pools
// hold, where one more app used to fail with "Internal error".
const scaleApps = 40

// TestFortyApps deploys 40 apps on one server, checks each answers through
// the proxy from a network of Quayside's own pool, then destroys them all and
// checks nothing of theirs is left in Docker.
func TestFortyApps(t *testing.T) {
	s := startServer(t)
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
