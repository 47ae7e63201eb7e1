package install

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchTimes are the installer's wall-clock times measured by TestInstall
// (docker exec included); zero when not measured.
type benchTimes struct {
	fresh, upgrade, uninstall    time.Duration // no systemd
	systemdFresh, systemdUpgrade time.Duration
	purge                        time.Duration // under systemd, daemon running
}

// report logs the times and, with QUAYSIDE_BENCH=1, writes them between
// the install markers of docs/benchmarks.md.
func (bt *benchTimes) report(t *testing.T) {
	rows := []struct {
		what string
		d    time.Duration
	}{
		{"fresh install, no systemd (checks, user, data dir, binary, unit; not started)", bt.fresh},
		{"re-run: upgrade, no systemd", bt.upgrade},
		{"`--uninstall`, no systemd", bt.uninstall},
		{"fresh install under systemd, until the daemon answers on its control socket", bt.systemdFresh},
		{"re-run under systemd: new binary, restart, until the daemon answers again", bt.systemdUpgrade},
		{"`--uninstall --purge` under systemd (stop, Docker objects, data, user)", bt.purge},
	}
	var table strings.Builder
	table.WriteString("| what | time |\n|---|---|\n")
	complete := true
	for _, r := range rows {
		took := "not measured"
		if r.d > 0 {
			took = r.d.Round(10 * time.Millisecond).String()
		}
		complete = complete && r.d > 0
		fmt.Fprintf(&table, "| %s | %s |\n", r.what, took)
	}
	t.Logf("installer times:\n%s", table.String())
	if os.Getenv("QUAYSIDE_BENCH") != "1" || t.Failed() {
		return
	}
	if !complete {
		t.Log("QUAYSIDE_BENCH=1: not writing docs/benchmarks.md, some times were not measured (a subtest skipped or was not run)")
		return
	}
	host, _ := os.Hostname()
	dockerVersion, _ := exec.Command("docker", "version", "--format", "{{.Server.Version}}").Output()
	body := fmt.Sprintf(`Measured %s on %s (%d CPUs), Docker %s: install.sh in a Debian bookworm
container (debootstrap) with a local binary (QUAYSIDE_BINARY) and Docker already
present; wall-clock of `+"`docker exec ... sh install.sh`"+`, one run each.

%s`, time.Now().Format("2006-01-02"), host, runtime.NumCPU(), strings.TrimSpace(string(dockerVersion)), table.String())
	writeBenchSection(t, body)
}

// writeBenchSection replaces what is between the install markers of
// docs/benchmarks.md.
func writeBenchSection(t *testing.T, body string) {
	path := filepath.Join("..", "docs", "benchmarks.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	start, end := "<!-- install:begin -->", "<!-- install:end -->"
	before, rest, ok := strings.Cut(string(doc), start)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", start)
	_, after, ok := strings.Cut(rest, end)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", end)
	require.NoError(t, os.WriteFile(path, []byte(before+start+"\n"+body+end+after), 0o644))
	t.Logf("wrote the install section of docs/benchmarks.md")
}
