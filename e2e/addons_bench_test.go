package e2e

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestBenchAddonCreate measures `addons create APP postgres` to the app
// serving a query through its new DATABASE_URL (the config release
// included), with the offline Postgres image, and writes the median of 3
// to docs/benchmarks.md.
func TestBenchAddonCreate(t *testing.T) {
	skipUnlessBench(t)
	s := startServer(t)
	removeAddonsAtEnd(t, s)
	repo := addonAppRepo(t, "bench")
	var runs []time.Duration
	for i := range 3 {
		app := fmt.Sprintf("bench%d", i)
		s.mustPush(repo, app)
		runs = append(runs, timed(func() {
			s.mustCLI("addons", "create", app, "postgres")
			waitFor(t, 60*time.Second, app+" to query its database", func() bool {
				code, _, err := s.get(app, "/rows")
				return err == nil && code == http.StatusOK
			})
		}))
	}
	slices.Sort(runs)
	writeBenchSection(t, "addons", fmt.Sprintf(`Measured %s on %s (%d CPUs) with %s: from `+"`quayside addons create APP postgres`"+`
to the app answering a query through its new DATABASE_URL (volume, container, first start of
Postgres with initdb, the wait until it accepts connections, and the config release of the app).

| what | median of 3 | runs | target |
|---|---|---|---|
| create to the app serving with DATABASE_URL | %.1f s | %s | <= 15 s |
`, time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.NumCPU(), postgresImage,
		runs[1].Seconds(), secondsList(runs)))
}

// secondsList prints durations as "1.2 s, 3.4 s".
func secondsList(ds []time.Duration) string {
	out := ""
	for i, d := range ds {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%.1f s", d.Seconds())
	}
	return out
}
