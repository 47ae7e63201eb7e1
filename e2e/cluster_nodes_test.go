package e2e

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernode"
)

// startTwoNodeCluster starts a daemon beside a private Docker (the
// manager; the shared daemon is never made a swarm manager), makes it a
// cluster manager and joins a second private Docker as a worker by running
// on the worker the `quayside cluster join` that join-command printed. It
// returns the manager's address on the link between the nodes.
func startTwoNodeCluster(t *testing.T) (s *server, mgr, wrk *dockernode.Node, mgrLink netip.Addr) {
	t.Helper()
	mgr, wrk = dockernode.Start(t), dockernode.Start(t)
	mgrLink, wrkLink := dockernode.Link(t, mgr, wrk)
	s = newServer(t)
	s.env, s.netns = []string{"DOCKER_HOST=" + mgr.Host()}, mgr.NetNS()
	a := mgr.Addr.String()
	s.httpAddr, s.httpsAddr, s.sshAddr = a+":8080", a+":8443", a+":2222"
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	s.mustCLI("cluster", "init", "--advertise-addr", mgrLink.String())

	join := s.mustCLI("cluster", "join-command")
	_, args, ok := strings.Cut(join, "quayside cluster join ")
	require.True(t, ok, "join-command prints no `quayside cluster join`: %s", join)
	args = strings.TrimSpace(strings.SplitN(args, "\n", 2)[0])
	require.Contains(t, args, "--registry-ca-sha256", "the join does not make the node trust the registry")
	t.Cleanup(func() { removeRegistryTrust(args) })
	cmd := exec.Command("nsenter", append([]string{"--net=/var/run/netns/" + wrk.NetNS(), quaysideBin, "cluster", "join",
		"--advertise-addr", wrkLink.String()}, strings.Fields(args)...)...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+wrk.Host())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "cluster join on the worker: %s", out)
	waitFor(t, 30*time.Second, "the worker in cluster nodes", func() bool {
		o, _ := s.cli("cluster", "nodes")
		return strings.Contains(o, wrk.Name)
	})
	return s, mgr, wrk, mgrLink
}

// removeRegistryTrust removes the CA file the join wrote for the registry
// (--registry HOST:PORT in args).
func removeRegistryTrust(args string) {
	f := strings.Fields(args)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "--registry" && f[i+1] != "" && !strings.ContainsAny(f[i+1], "/") && !strings.Contains(f[i+1], "..") {
			_ = os.RemoveAll(filepath.Join("/etc/docker/certs.d", f[i+1]))
		}
	}
}

// hostnamesOn returns the hostnames (short IDs) of the running
// containers of node n.
func hostnamesOn(t *testing.T, n *dockernode.Node) map[string]bool {
	list, err := n.Client().ContainerList(context.Background(), container.ListOptions{})
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, c := range list {
		ids[c.ID[:12]] = true
	}
	return ids
}

// spread waits until app runs one replica on each of the nodes.
func spread(t *testing.T, s *server, app string, nodes ...string) {
	t.Helper()
	var last map[string]string
	waitFor(t, 90*time.Second, "one replica on each node", func() bool {
		last = s.psNodes(t, app)
		on := map[string]bool{}
		for _, n := range last {
			on[n] = true
		}
		for _, n := range nodes {
			if !on[n] {
				return false
			}
		}
		return len(last) == len(nodes)
	})
}

// answerFromBoth asks the edge for /whoami until it has heard from a
// replica on each node.
func answerFromBoth(t *testing.T, s *server, app string, mgr, wrk *dockernode.Node) {
	t.Helper()
	onMgr, onWrk := hostnamesOn(t, mgr), hostnamesOn(t, wrk)
	var fromMgr, fromWrk bool
	seen := map[string]bool{}
	waitFor(t, 30*time.Second, "answers through the edge from both nodes", func() bool {
		h := strings.TrimSpace(s.body(app, "/whoami"))
		seen[h] = true
		fromMgr, fromWrk = fromMgr || onMgr[h], fromWrk || onWrk[h]
		return fromMgr && fromWrk
	})
}

// TestClusterTwoNodes: replicas spread over both nodes and both answer
// through the edge; the image, built on the manager, runs on the worker
// through Quayside's registry; draining the worker under load fails no
// request; after activate a new replica lands on the worker again, and
// killing the worker's daemon (the machine dying: its links go down) leaves
// the app serving from the manager.
func TestClusterTwoNodes(t *testing.T) {
	t.Parallel()
	s, mgr, wrk, mgrLink := startTwoNodeCluster(t)
	repo := sampleRepo(t, "v1")
	s.mustPush(repo, "app")
	s.mustCLI("ps", "scale", "app", "web=2")
	spread(t, s, "app", mgr.Name, wrk.Name)
	answerFromBoth(t, s, "app", mgr, wrk)

	imgs, err := wrk.Client().ImageList(context.Background(), image.ListOptions{})
	require.NoError(t, err)
	var digests []string
	for _, img := range imgs {
		digests = append(digests, img.RepoDigests...)
	}
	require.Len(t, digests, 1, "the worker holds images other than the app's")
	assert.True(t, strings.HasPrefix(digests[0], mgrLink.String()+":5443/app@sha256:"),
		"the worker's image did not come through Quayside's registry: %v", digests)

	l := s.startLoad("app", 4)
	s.mustCLI("cluster", "drain", wrk.Name)
	failed := l.stop()
	t.Logf("drain: %d requests, lowest rate %d/s", l.ok.Load(), l.minRate())
	assert.Empty(t, failed, "requests failed while the worker drained")
	for r, n := range s.psNodes(t, "app") {
		assert.Equal(t, mgr.Name, n, "%s stayed on the drained worker", r)
	}

	s.mustCLI("cluster", "activate", wrk.Name)
	s.mustCLI("ps", "scale", "app", "web=3") // the new replica goes to the emptier node
	waitFor(t, 90*time.Second, "a replica on the worker again", func() bool {
		for _, n := range s.psNodes(t, "app") {
			if n == wrk.Name {
				return true
			}
		}
		return false
	})
	answerFromBoth(t, s, "app", mgr, wrk)

	wrk.Kill(t)
	waitFor(t, 60*time.Second, "the app to serve from the manager alone", func() bool {
		for range 20 {
			if code, _, err := s.get("app", "/"); err != nil || code != 200 {
				return false
			}
		}
		return true
	})
	l = s.startLoad("app", 4)
	time.Sleep(3 * time.Second)
	assert.Empty(t, l.stop(), "requests failed with the worker dead")
	t.Logf("after the worker died: %d requests, lowest rate %d/s", l.ok.Load(), l.minRate())
}
