package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api"
)

// TestPromote promotes a staging app into production with the real
// binary, Docker and git: production serves staging's image with its own
// config, nothing is built, no request fails, the release and the audit log
// say where it came from, and rollback, gc and destroying the source keep
// working across it.
func TestPromote(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--keep-releases", "2")
	staging, prod := sampleRepo(t, "staged"), sampleRepo(t, "prod")
	s.mustPush(staging, "staging")
	s.mustPush(prod, "production")
	s.mustCLI("config", "set", "staging", "GREETING=?staging-only")
	s.mustCLI("config", "set", "production", "GREETING=!")
	require.Equal(t, "prod!", s.body("production", "/"))
	stagingCommit := gitIn(t, staging, "rev-parse", "HEAD")

	l := s.startLoad("production", 2)
	out := s.mustCLI("promote", "staging", "production")
	failures := l.stop()
	assert.Empty(t, failures, "no request failed during the promotion")
	assert.Contains(t, out, "Promoting staging v2 (commit "+stagingCommit[:7]+") to production as v3")
	assert.NotContains(t, out, "Building", "nothing is rebuilt")
	assert.Contains(t, out, "production v3 is active: promoted from staging v2")
	assert.Equal(t, "staged!", s.body("production", "/"), "staging's image with production's config")
	assert.Equal(t, "staged?staging-only", s.body("staging", "/"), "the source is untouched")

	rels := s.releases("production")
	assert.Equal(t, "promote", rels[0].Kind)
	assert.Equal(t, "staging", rels[0].PromotedFrom)
	assert.Equal(t, stagingCommit, rels[0].Commit)
	assert.Contains(t, s.mustCLI("releases", "production"), "Promoted from staging v2 ("+stagingCommit[:7]+")")
	audit := s.mustCLI("audit", "--for-app", "production")
	assert.Contains(t, audit, "promoted from staging v2 ("+stagingCommit[:7]+")")

	t.Run("the source's retention and destroy keep the image production runs", func(t *testing.T) {
		for i := range 2 {
			writeFile(t, staging, "message.txt", fmt.Sprintf("staged%d", i))
			commitAll(t, staging, "more")
			s.mustPush(staging, "staging")
		}
		// quayside gc is left out: Docker runs one disk-usage query at a
		// time, and a parallel gc would fail TestGarbageCollection's. The
		// engine's TestPromotedImagesSurviveTheSourcesRetention covers gc.
		s.mustCLI("apps", "destroy", "staging", "--confirm", "staging")
		_, err := execOut("docker", "image", "inspect", rels[0].Image)
		require.NoError(t, err, "the promoted image %s is still there", rels[0].Image)
		assert.Equal(t, "staged!", s.body("production", "/"))
	})
	t.Run("rollback works across it", func(t *testing.T) {
		s.mustCLI("rollback", "production")
		assert.Equal(t, "prod!", s.body("production", "/"))
		s.mustCLI("rollback", "production", "v3")
		assert.Equal(t, "staged!", s.body("production", "/"), "the promoted image came back after its source was destroyed")
	})
	t.Run("attacks end in a clear error and change nothing", func(t *testing.T) {
		s.mustCLI("apps", "create", "empty")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"production", "production"}, "cannot be promoted into itself"},
			{[]string{"nowhere", "production"}, `app "nowhere" not found`},
			{[]string{"staging", "production"}, `app "staging" not found`},
			{[]string{"empty", "production"}, "empty has no release yet"},
			{[]string{"production", "nowhere"}, `app "nowhere" not found`},
		} {
			out, err := s.cli("promote", c.args[0], c.args[1])
			require.Error(t, err, out)
			assert.Contains(t, out, c.want)
			assert.NotContains(t, out, "nternal")
		}
		assert.Equal(t, "staged!", s.body("production", "/"))
	})
}

// releases lists app's releases, newest first.
func (s *server) releases(app string) []api.Release {
	s.t.Helper()
	var rels []api.Release
	require.NoError(s.t, json.Unmarshal([]byte(s.mustCLI("releases", app, "--json")), &rels))
	require.NotEmpty(s.t, rels)
	return rels
}

// TestBenchPromote measures a promotion from the command to the target
// serving the promoted image, and writes it to docs/benchmarks.md.
func TestBenchPromote(t *testing.T) {
	skipUnlessBench(t)
	s := startServer(t)
	a, b := sampleRepo(t, "from-a"), sampleRepo(t, "from-b")
	s.mustPush(a, "pa")
	s.mustPush(b, "pb")
	s.mustPush(sampleRepo(t, "target"), "target")
	var runs []time.Duration
	for i := range benchRuns {
		src := []string{"pa", "pb"}[i%2]
		want := "from-" + src[1:]
		done := make(chan error, 1)
		runs = append(runs, timed(func() {
			go func() {
				out, err := s.cli("promote", src, "target")
				if err != nil {
					err = fmt.Errorf("%w: %s", err, out)
				}
				done <- err
			}()
			waitFor(t, 30*time.Second, "the promoted image to serve", func() bool {
				_, body, err := s.get("target", "/")
				return err == nil && body == want
			})
		}))
		require.NoError(t, <-done)
	}
	writeBenchSection(t, "promote", fmt.Sprintf(`Measured %s on %s (%d CPUs, load average %s at the end), Docker %s,
the sample app, %d runs alternating between two source apps.

| what | median | min | max | target |
|---|---|---|---|---|
| promote: command to the target serving the source's image | %s | %s | %s | <= 2 s |
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), loadAverage(), dockerVersion(), benchRuns,
		ms(median(runs)), ms(slices.Min(runs)), ms(slices.Max(runs))))
}

// loadAverage is the machine's 1-minute load average, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
