package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// writeLogsSection replaces the text between the log markers in
// docs/benchmarks.md.
func writeLogsSection(t *testing.T, body string) {
	t.Helper()
	path := filepath.Join("..", "docs", "benchmarks.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	before, rest, ok := strings.Cut(string(doc), "<!-- logs:begin -->")
	require.True(t, ok, "docs/benchmarks.md has no <!-- logs:begin --> marker")
	_, after, ok := strings.Cut(rest, "<!-- logs:end -->")
	require.True(t, ok, "docs/benchmarks.md has no <!-- logs:end --> marker")
	out := before + "<!-- logs:begin -->\n" + body + "<!-- logs:end -->" + after
	require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
	t.Logf("wrote the logs section of docs/benchmarks.md:\n%s", body)
}

// logsReport formats the figures for docs/benchmarks.md.
func logsReport(paced, fast []pumpStats, split [2]breakdown, fan fanStats) string {
	p, f := medianStats(paced), medianStats(fast)
	met := "**no**"
	if p.p99 <= logTarget {
		met = "yes"
	}
	return fmt.Sprintf(`Measured %s on %s (%d CPUs, shared with other work: expect noise), Docker %s,
Quayside built with %s. Lines of about 100 bytes; medians of %d runs.

| run | lines/s delivered | lines/s written | missed | again | never | p50 | p99 | max | daemon CPU |
|---|---|---|---|---|---|---|---|---|---|
%s%s
"missed": lines the follower was told it skipped (too slow); "again": lines
it got twice; "never": lines neither delivered nor counted as missed.

Target: p99 from write to follower at most 250 ms at 10,000 lines/s: %s (%s).

Where the time goes (one run each, a direct reader of Docker's log stream,
as docker logs -f reads it, beside the Quayside follower):

| from the container's write to | %s | %s |
|---|---|---|
| Docker's time stamp (Docker read the line from the container) | %s | %s |
| a reader of Docker's log stream | %s | %s |
| the Quayside follower (Docker, the collector, the store, the WebSocket) | %s | %s |

%d WebSocket followers of one app printing %d lines/s for %d s (the followers
disconnect while it still prints): %d of %d lines delivered, %d counted as
missed, %d got twice, %d never; p50 %s, p99 %s from write to follower over
all of them; daemon CPU %.0f%%.

| daemon | before | %d followers attached | peak while streaming | after they left (lowest over 5 s) |
|---|---|---|---|---|
| RSS (VmRSS) | %s | %s | %s | %s |
| Go heap in use | %s | | %s | %s |
| goroutines | %d | | %d | %d |
`, time.Now().UTC().Format("2006-01-02"), hostName(), runtime.NumCPU(), dockerVersion(), runtime.Version(), logRuns,
		statsRow(fmt.Sprintf("%d lines at %d lines/s", pacedLines, pacedRate), p),
		statsRow(fmt.Sprintf("%d lines as fast as the app can print", fastLines), f),
		met, msf(p.p99),
		splitHead(pacedLines, pacedRate), splitHead(fastLines, 0),
		split[0].capture(), split[1].capture(), split[0].docker.cell(), split[1].docker.cell(),
		split[0].quayside.cell(), split[1].quayside.cell(),
		fanFollower, fanRate, fanLines/fanRate, fan.got, fan.sent, fan.missed, fan.dups, fan.lost,
		msf(fan.p50), msf(fan.p99), fan.cpu,
		fanFollower, mib(fan.rssBefore), mib(fan.rssAttached), mib(fan.rssPeak), mib(fan.rssAfter),
		mib(fan.heapBefore), mib(fan.heapPeak), mib(fan.heapAfter),
		fan.goroutinesBefore, fan.goroutinesPeak, fan.goroutinesAfter)
}

// statsRow is one row of the runs table.
func statsRow(what string, st pumpStats) string {
	return fmt.Sprintf("| %s | %.0f | %.0f | %d | %d | %d | %s | %s | %s | %.0f%% |\n", what, st.rate, st.wroteRate,
		st.missed, st.dups, st.lost, msf(st.p50), msf(st.p99), msf(st.max), st.cpu)
}

// splitHead names a column of the breakdown table.
func splitHead(n, rate int) string {
	if rate == 0 {
		return fmt.Sprintf("%d lines as fast as possible: p50 / p99 (again, never)", n)
	}
	return fmt.Sprintf("%d lines at %d lines/s: p50 / p99 (again, never)", n, rate)
}

// capture is the delay from write to Docker's time stamp.
func (b breakdown) capture() string {
	return msf(b.quayside.capP50) + " / " + msf(b.quayside.capP99)
}

// cell is a reader's delays and counts in the breakdown table.
func (st pumpStats) cell() string {
	return fmt.Sprintf("%s / %s (%d, %d)", msf(st.p50), msf(st.p99), st.dups, st.lost)
}

func msf(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
