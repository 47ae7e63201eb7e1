package dockernode

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSweepStale leaves behind what a test process killed before its
// cleanup leaves (folders, a namespace, a process of the node, an unheld
// lock) and checks that the next Start's sweep removes it, while a node
// whose lock is held stays.
func TestSweepStale(t *testing.T) {
	skipUnlessPossible(t)
	name := "qn" + "5a1e00"
	n := &Node{Name: name, dataRoot: filepath.Join(baseDir, name), execRoot: filepath.Join(runBase, name)}
	t.Cleanup(n.removeStale)
	require.NoError(t, os.MkdirAll(n.dataRoot, 0o700))
	require.NoError(t, os.MkdirAll(n.execRoot, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(runBase, name+".lock"), nil, 0o600))
	require.NoError(t, run("ip", "netns", "add", name))
	proc := exec.Command("sh", "-c", "sleep 600", filepath.Join(n.execRoot, "containerd.sock"))
	require.NoError(t, proc.Start())
	exited := make(chan struct{})
	go func() { _ = proc.Wait(); close(exited) }()

	live := Start(t)
	sweepStale()

	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Error("the stale node's process still runs")
	}
	assertGone(t, n)
	_, err := os.Stat(live.dataRoot)
	assert.NoError(t, err, "the sweep removed a live node")
	_, err = live.Client().Ping(t.Context())
	assert.NoError(t, err, "the sweep stopped a live node")
}
