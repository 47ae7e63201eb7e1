package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernode"
)

// TestClusterAddons: once the server manages a cluster, an app's replicas
// are services on an overlay network; a Redis add-on (a plain container,
// pinned to the manager) made before the move is reachable from them under
// its alias, and so is its new container when it is made again (expose);
// leaving the cluster takes it off the overlay, the network goes and the
// app, a container again, still reaches it.
func TestClusterAddons(t *testing.T) {
	t.Parallel()
	repo := clusterAddonRepo(t)
	mgr := dockernode.Start(t)
	mgr.CopyImage(t, redisImage)
	s := newServer(t)
	s.env, s.netns = []string{"DOCKER_HOST=" + mgr.Host()}, mgr.NetNS()
	a := mgr.Addr.String()
	s.httpAddr, s.httpsAddr, s.sshAddr = a+":8080", a+":8443", a+":2222"
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	s.mustPush(repo, "counter")
	s.mustCLI("addons", "create", "counter", "redis")
	assert.Equal(t, "count=1", strings.TrimSpace(s.body("counter", "/count")), "a container on the bridge")

	s.mustCLI("cluster", "init", "--advertise-addr", a)
	t.Cleanup(func() { _ = os.RemoveAll(filepath.Join("/etc/docker/certs.d", a+":5443")) })
	writeFile(t, repo, "note.txt", "two")
	commitAll(t, repo, "two")
	s.mustPush(repo, "counter") // the move onto a service: the overlay is made
	assert.NotEmpty(t, s.psNodes(t, "counter")["web.1"], "the replica is a service")
	addon := "qs-" + s.instance + "-addon-counter-redis"
	nets, err := dockerOn(mgr, "inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", addon)
	require.NoError(t, err, nets)
	assert.Contains(t, nets, "qso-"+s.instance+"-counter", "the add-on is on the app's overlay")
	assert.Equal(t, "count=2", strings.TrimSpace(s.body("counter", "/count")), "the service reaches the add-on made before it")

	s.mustCLI("addons", "expose", "counter", "redis", "--to", "127.0.0.1:16379") // a new container
	var last string
	waitFor(t, 20*time.Second, "the service to reach the new add-on container", func() bool {
		code, body, _ := s.get("counter", "/count")
		last = body
		return code == 200
	})
	assert.Equal(t, "count=3", strings.TrimSpace(last), "the service reaches the add-on's new container")

	s.mustCLI("cluster", "leave") // the app moves back to a container
	assert.Equal(t, "count=4", strings.TrimSpace(s.body("counter", "/count")), "the container reaches it on the bridge")
	nets, err = dockerOn(mgr, "network", "ls", "--format", "{{.Name}}")
	require.NoError(t, err, nets)
	assert.NotContains(t, nets, "qso-", "the overlay is gone with the cluster")
}

// clusterAddonRepo is a repository of testdata/addonapp on no base image
// (its /count speaks to Redis itself).
func clusterAddonRepo(t *testing.T) string {
	t.Helper()
	dir := addonAppRepo(t, "one")
	writeFile(t, dir, "Dockerfile", "FROM scratch\nCOPY addonapp /addonapp\nEXPOSE 5000\nENTRYPOINT [\"/addonapp\"]\n")
	commitAll(t, dir, "scratch")
	return dir
}

// dockerOn runs the docker CLI against node n.
func dockerOn(n *dockernode.Node, args ...string) (string, error) {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+n.Host())
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
