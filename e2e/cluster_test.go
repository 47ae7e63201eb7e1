package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/proxy/registry"
)

// startClusterServer starts a daemon whose Docker is a private daemon
// (never the shared one: a swarm there would meet every other test).
func startClusterServer(t *testing.T) (*server, *privateDocker) {
	t.Helper()
	d := startPrivateDocker(t)
	s := newServer(t)
	// The daemon runs beside its Docker, as on a real server: in the
	// private daemon's namespace, listening on its address.
	s.env, s.netns = []string{"DOCKER_HOST=" + d.Host}, d.ns
	s.httpAddr, s.httpsAddr, s.sshAddr = d.Addr+":8080", d.Addr+":8443", d.Addr+":2222"
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	// The registry makes this machine's Docker trust it (as on a real
	// manager): take that back.
	t.Cleanup(func() { _ = os.RemoveAll(filepath.Join(registry.DefaultCertsDir, d.Addr+":5443")) })
	return s, d
}

// psNodes returns the node of each running replica of app ("" off the
// cluster), by process name.
func (s *server) psNodes(t *testing.T, app string) map[string]string {
	t.Helper()
	var l struct {
		Processes []struct {
			Type    string
			Replica int
			State   string
			Node    string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(s.mustCLI("ps", app, "--json")), &l))
	out := map[string]string{}
	for _, p := range l.Processes {
		out[fmt.Sprintf("%s.%d", p.Type, p.Replica)] = p.Node
	}
	return out
}

// TestClusterOneNode takes an app through a one-node swarm and back:
// init, the move onto services at the next deploy, redeploys under load,
// a failing release rolled back and reported failed, scale, rollback,
// drain refused on the last node, activate, and leave back to containers,
// with no failed request while the app moves either way.
func TestClusterOneNode(t *testing.T) {
	t.Parallel()
	s, d := startClusterServer(t)
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "app")
	assert.Equal(t, "v1", s.body("app", "/"))
	assert.Equal(t, map[string]string{"web.1": ""}, s.psNodes(t, "app"), "single-node mode until cluster init")

	out, err := s.cli("cluster", "init", "--advertise-addr", "10.254.254.254")
	require.Error(t, err)
	assert.Contains(t, out, "10.254.254.254 is not an address of this server")
	out, err = s.cli("cluster", "init", "--advertise-addr", "eu.example.com")
	require.Error(t, err)
	assert.Contains(t, out, "is not an IP address")
	info, _ := d.dockerOut("info", "--format", "{{.Swarm.LocalNodeState}}")
	require.Equal(t, "inactive", info, "a refused init leaves no swarm behind")
	out = s.mustCLI("cluster", "init", "--advertise-addr", d.Addr)
	assert.Contains(t, out, "Cluster manager at "+d.Addr)
	join := s.mustCLI("cluster", "join-command")
	assert.Contains(t, join, "quayside cluster join "+d.Addr+":2377 --token SWMTKN-")
	assert.Contains(t, join, "--registry "+d.Addr+":5443 --registry-ca-sha256 ")
	oldToken := joinToken(t, join)
	rotated := s.mustCLI("cluster", "join-command", "--rotate")
	assert.Contains(t, rotated, "Nodes already in the cluster keep working")
	assert.NotContains(t, rotated, oldToken, "the rotation prints a new token")
	assert.NotContains(t, s.mustCLI("cluster", "join-command"), oldToken, "the old token is gone from join-command")
	swarmToken, _ := d.dockerOut("swarm", "join-token", "-q", "worker")
	assert.Equal(t, joinToken(t, rotated), swarmToken, "Swarm itself holds the new token")

	l := s.startLoad("app", 4)
	writeFile(t, repo, "message.txt", "v2")
	commitAll(t, repo, "v2")
	s.mustPush(repo, "app") // the move onto a service
	nodes := s.psNodes(t, "app")
	require.Len(t, nodes, 1)
	assert.NotEmpty(t, nodes["web.1"], "the replica runs on a node of the cluster")
	assert.Equal(t, "v2", s.body("app", "/"))
	images, _ := d.dockerOut("service", "ls", "--format", "{{.Image}}")
	assert.Contains(t, images, d.Addr+":5443/app@sha256:", "the service pulls its image from Quayside's registry")
	writeFile(t, repo, "message.txt", "v3")
	commitAll(t, repo, "v3")
	s.mustPush(repo, "app") // service to service
	assert.Empty(t, l.stop(), "no request failed while the app moved onto services and redeployed")
	t.Logf("%d requests, lowest rate %d/s", l.ok.Load(), l.minRate())
	assert.Equal(t, "v3", s.body("app", "/"))

	t.Run("failing release", func(t *testing.T) {
		s.mustCLI("checks", "set", "app", "--timeout", "4s")
		writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nENV UNHEALTHY=1\nCMD [\"/sampleapp\"]\n")
		commitAll(t, repo, "unhealthy")
		stop := s.watchTraffic("app", "v3")
		out, err := s.push(repo, "app")
		assert.Empty(t, stop(), "the old release answered every request")
		require.Error(t, err)
		assert.Contains(t, out, "did not pass its health check")
		assert.Contains(t, s.mustCLI("releases", "app"), "failed")
		assert.Len(t, s.psNodes(t, "app"), 1, "the failed replica's service is removed")
		svcs, _ := d.dockerOut("service", "ls", "-q")
		assert.Len(t, strings.Fields(svcs), 1)
		gitIn(t, repo, "reset", "-q", "--hard", "HEAD~1")
	})

	t.Run("placement", func(t *testing.T) {
		out, err := s.cli("apps", "placement", "app", "node.labels.region=eu --privileged")
		require.Error(t, err)
		assert.Contains(t, out, "is not a placement constraint")
		s.mustCLI("apps", "placement", "app", "node.labels.region==mars")
		assert.Contains(t, s.mustCLI("apps", "placement", "app"), "node.labels.region==mars")
		out, err = s.cli("ps", "scale", "app", "web=2")
		require.Error(t, err)
		assert.Contains(t, out, "no node may run the replica")
		assert.Len(t, s.psNodes(t, "app"), 1, "the replica that could not be placed is gone")
		assert.Equal(t, "v3", s.body("app", "/"))
		assert.Contains(t, s.mustCLI("apps", "placement", "app", "--clear"), "any node")
	})

	s.mustCLI("ps", "scale", "app", "web=2")
	assert.Len(t, s.psNodes(t, "app"), 2)
	assert.Contains(t, s.mustCLI("cluster", "nodes"), "app/web.2")
	assert.Contains(t, s.mustCLI("ps", "app"), "NODE")

	s.mustCLI("rollback", "app")
	assert.Equal(t, "v2", s.body("app", "/"))

	t.Run("the daemon restarts in a cluster", func(t *testing.T) {
		before := s.psNodes(t, "app")
		s.stop(os.Interrupt)
		s.start()
		assert.Equal(t, before, s.psNodes(t, "app"), "the replicas ran on and are found again")
		waitFor(t, 30*time.Second, "the app to answer after the restart", func() bool {
			code, body, err := s.get("app", "/")
			return err == nil && code == 200 && body == "v2"
		})
		s.mustCLI("ps", "scale", "app", "web=3") // a new replica: its image through the restarted registry
		assert.Len(t, s.psNodes(t, "app"), 3)
		s.mustCLI("ps", "scale", "app", "web=2")
	})

	out, err = s.cli("cluster", "drain", nodes["web.1"])
	require.Error(t, err)
	assert.Contains(t, out, "only active node")
	assert.Contains(t, s.mustCLI("cluster", "activate", nodes["web.1"]), "active")

	l = s.startLoad("app", 4)
	out = s.mustCLI("cluster", "leave")
	assert.Contains(t, out, "Left the cluster")
	assert.Empty(t, l.stop(), "no request failed while the app moved back")
	assert.Equal(t, map[string]string{"web.1": "", "web.2": ""}, s.psNodes(t, "app"))
	assert.Equal(t, "v2", s.body("app", "/"))
	info, _ = d.dockerOut("info", "--format", "{{.Swarm.LocalNodeState}}")
	assert.Equal(t, "inactive", info)
	nets, _ := d.dockerOut("network", "ls", "--format", "{{.Name}}")
	assert.NotContains(t, nets, "docker_gwbridge")
	assert.NotContains(t, s.logs.String(), "SWMTKN-", "the join token is never logged")
}

// joinToken is the SWMTKN-... token in a join command's output.
func joinToken(t *testing.T, out string) string {
	t.Helper()
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "SWMTKN-") {
			return f
		}
	}
	t.Fatalf("no join token in %q", out)
	return ""
}
