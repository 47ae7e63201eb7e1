package e2e

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cronRun is what cron history --json prints of a run.
type cronRun struct {
	Job      string     `json:"job"`
	Slot     *time.Time `json:"slot"`
	Trigger  string     `json:"trigger"`
	Status   string     `json:"status"`
	ExitCode int        `json:"exit_code"`
}

func (s *server) cronRuns(app, job string) []cronRun {
	s.t.Helper()
	var runs []cronRun
	require.NoError(s.t, json.Unmarshal([]byte(s.mustCLI("cron", "history", app, job, "--json", "--limit", "200")), &runs))
	return runs
}

// TestCronJobs: a job declared in app.json appears at a push and runs every
// minute with its output in the app's logs under cron.<job>; a failing job
// started by hand alerts the webhook; a daemon killed (-9) across a due
// time runs that slot once when it is back; the job goes when app.json
// drops it, and the hand-added one stays.
func TestCronJobs(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--allow-webhook-to", "127.0.0.0/8", "--cron-tick", "1s")
	hook := newHookReceiver(t)
	s.mustCLI("alerts", "add", hook.srv.URL+"/hook")

	repo := sampleRepo(t, "cron")
	writeFile(t, repo, "app.json", `{"cron": [{"name": "tick", "command": "/sampleapp exit 0 hello-cron", "schedule": "* * * * *"}]}`)
	commitAll(t, repo, "a job every minute")
	s.mustPush(repo, "app")
	list := s.mustCLI("cron", "list", "app")
	assert.Contains(t, list, "tick")
	assert.Contains(t, list, "app.json")

	// A bad schedule in app.json fails the push, naming the entry.
	writeFile(t, repo, "app.json", `{"cron": [{"name": "tick", "command": "/sampleapp exit 0", "schedule": "*/0 * * * *"}]}`)
	commitAll(t, repo, "a bad schedule")
	out, err := s.push(repo, "app")
	require.Error(t, err, out)
	assert.Contains(t, out, `cron entry 1 ("/sampleapp exit 0")`)
	gitIn(t, repo, "reset", "-q", "--hard", "HEAD~1")

	s.mustCLI("cron", "add", "app", "@daily", "--name", "fails", "--", "/sampleapp", "exit", "3")
	s.mustCLI("cron", "run", "app", "fails")
	waitFor(t, 30*time.Second, "the failed run's alert", func() bool { return hook.got("cron.failed") })
	runs := s.cronRuns("app", "fails")
	require.Len(t, runs, 1)
	assert.Equal(t, "failed", runs[0].Status)
	assert.Equal(t, 3, runs[0].ExitCode)

	// Kill the daemon before the next slot of tick and start it after.
	var jobs []struct {
		Name    string     `json:"name"`
		NextRun *time.Time `json:"next_run"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.mustCLI("cron", "list", "app", "--json")), &jobs))
	var next time.Time
	for _, j := range jobs {
		if j.Name == "tick" {
			next = *j.NextRun
		}
	}
	require.False(t, next.IsZero())
	if time.Until(next) < 3*time.Second { // too close to kill before it: take the one after
		next = next.Add(time.Minute)
		time.Sleep(time.Until(next.Add(-time.Minute)) + time.Second)
	}
	s.stop(syscall.SIGKILL)
	time.Sleep(time.Until(next) + 2*time.Second)
	s.start()
	var slotRuns int
	waitFor(t, 60*time.Second, "the slot missed while down to run", func() bool {
		slotRuns = 0
		for _, r := range s.cronRuns("app", "tick") {
			if r.Slot != nil && r.Slot.Equal(next) {
				slotRuns++
			}
		}
		return slotRuns > 0
	})
	waitFor(t, 30*time.Second, "the job's output in the logs", func() bool {
		out, _ := s.cli("logs", "app", "-n", "1000", "--process", "cron.tick")
		return strings.Contains(out, "hello-cron")
	})
	time.Sleep(2 * time.Second) // more ticks: the slot must not run again
	seen := map[time.Time]int{}
	for _, r := range s.cronRuns("app", "tick") {
		if r.Slot != nil {
			seen[*r.Slot]++
		}
	}
	assert.Equal(t, 1, seen[next], "the slot due while the daemon was down runs once")
	for slot, n := range seen {
		assert.Equal(t, 1, n, "slot %s ran %d times", slot, n)
	}

	// The job leaves with app.json's entry; the hand-added one stays.
	writeFile(t, repo, "app.json", `{"name": "app"}`)
	commitAll(t, repo, "no more jobs")
	s.mustPush(repo, "app")
	list = s.mustCLI("cron", "list", "app")
	assert.NotContains(t, list, "tick")
	assert.Contains(t, list, "fails")
}
