package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/internal/dockernode"
)

// TestBenchClusterNodes measures push to live for a 2-replica app on a
// one-node cluster and on a two-node cluster (where each deploy also ships
// the image through Quayside's registry and the worker pulls it), and
// redeploys under load across the two nodes, and writes the figures to
// docs/benchmarks.md.
func TestBenchClusterNodes(t *testing.T) {
	skipUnlessBench(t)
	one := clusterPushes(t, false)
	two := clusterPushes(t, true)
	writeBenchSection(t, "cluster-nodes", fmt.Sprintf(`Measured %s on %s (%d CPUs), Docker %s, the sample app with 2 web replicas,
%d warm pushes each. Both nodes are private Docker daemons on
this machine (internal/dockernode), so they share its 2 CPUs and disk.

| what | median | min | max |
|---|---|---|---|
| push to live, one-node cluster | %s | %s | %s |
| push to live, two nodes (ship through the registry, worker pulls) | %s | %s | %s |

Redeploy under load across two nodes: %d pushes in a row while 4 keep-alive clients
request the app through the edge: %d requests, **%d failed**, lowest rate in any
second %d requests/s.
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(), benchRuns,
		ms(median(one.pushes)), ms(slices.Min(one.pushes)), ms(slices.Max(one.pushes)),
		ms(median(two.pushes)), ms(slices.Min(two.pushes)), ms(slices.Max(two.pushes)),
		two.loadPushes, two.requests, two.failed, two.minRate))
}

type clusterFigures struct {
	pushes                    []time.Duration
	loadPushes                int
	requests, failed, minRate int64
}

// clusterPushes times warm pushes of a 2-replica app on a cluster of one
// node or of two, and on two nodes also redeploys under load.
func clusterPushes(t *testing.T, twoNodes bool) clusterFigures {
	var s *server
	if twoNodes {
		s, _, _, _ = startTwoNodeCluster(t)
	} else {
		mgr := dockernode.Start(t)
		s = newServer(t)
		s.env, s.netns = []string{"DOCKER_HOST=" + mgr.Host()}, mgr.NetNS()
		a := mgr.Addr.String()
		s.httpAddr, s.httpsAddr, s.sshAddr = a+":8080", a+":8443", a+":2222"
		s.start()
		s.mustCLI("keys", "add", "tester", stdin(pubKey))
		t.Cleanup(func() { _ = os.RemoveAll(filepath.Join("/etc/docker/certs.d", a+":5443")) }) // the registry's trust
		s.mustCLI("cluster", "init", "--advertise-addr", a)
	}
	repo := sampleRepo(t, "r0")
	s.mustPush(repo, "bench")
	s.mustCLI("ps", "scale", "bench", "web=2")
	var f clusterFigures
	for i := 1; i <= benchRuns; i++ {
		writeFile(t, repo, "message.txt", fmt.Sprintf("r%d", i))
		commitAll(t, repo, "bench")
		f.pushes = append(f.pushes, timed(func() { s.mustPush(repo, "bench") }))
		assert.Equal(t, fmt.Sprintf("r%d", i), s.body("bench", "/"))
	}
	if !twoNodes {
		return f
	}
	l := s.startLoad("bench", 4)
	f.loadPushes = 5
	for i := range f.loadPushes {
		writeFile(t, repo, "message.txt", fmt.Sprintf("load%d", i))
		commitAll(t, repo, "load")
		s.mustPush(repo, "bench")
	}
	failures := l.stop()
	assert.Empty(t, failures)
	f.requests, f.failed, f.minRate = l.ok.Load()+l.fail.Load(), int64(len(failures)), l.minRate()
	return f
}
