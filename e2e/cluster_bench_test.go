package e2e

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBenchCluster measures push to live on plain containers and then, on
// the same daemon made a one-node swarm, on services (the image through
// Quayside's registry), with clients on the app throughout; and writes the
// figures to docs/benchmarks.md.
func TestBenchCluster(t *testing.T) {
	skipUnlessBench(t)
	s, d := startClusterServer(t)
	repo := sampleRepo(t, "r0")
	s.mustPush(repo, "bench")
	n := 0
	pushes := func() []time.Duration {
		var out []time.Duration
		for range benchRuns {
			n++
			writeFile(t, repo, "message.txt", fmt.Sprintf("r%d", n))
			commitAll(t, repo, "bench")
			out = append(out, timed(func() { s.mustPush(repo, "bench") }))
			require.Equal(t, fmt.Sprintf("r%d", n), s.body("bench", "/"))
		}
		return out
	}
	l := s.startLoad("bench", 4)
	plain := pushes()
	plainFailed := len(l.stop())
	s.mustCLI("cluster", "init", "--advertise-addr", d.Addr)
	s.mustPush(repo, "bench") // the move onto a service
	l = s.startLoad("bench", 4)
	svc := pushes()
	svcFailed := len(l.stop())

	writeBenchSection(t, "cluster", fmt.Sprintf(`Measured %s on %s (%d CPUs), Docker %s in a network namespace of its own,
the sample app (FROM scratch), %d pushes each, 4 clients requesting the app throughout.

| what | median | min | max | failed requests | target |
|---|---|---|---|---|---|
| push to live, plain containers | %s | %s | %s | %d | 0 failed |
| push to live, one-node swarm (service, image through the registry) | %s | %s | %s | %d | 0 failed |
`, time.Now().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(), benchRuns,
		ms(median(plain)), ms(slices.Min(plain)), ms(slices.Max(plain)), plainFailed,
		ms(median(svc)), ms(slices.Min(svc)), ms(slices.Max(svc)), svcFailed))
	require.Zero(t, plainFailed+svcFailed, "no request fails during redeploys")
}
