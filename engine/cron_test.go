package engine_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// cronClock is a settable time source.
type cronClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *cronClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *cronClock) Set(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t, _ = time.Parse(time.RFC3339, s)
}

// eventLog is an EventSink that keeps the events.
type eventLog struct {
	mu  sync.Mutex
	evs []engine.Event
}

func (l *eventLog) Event(ev engine.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, ev)
}
func (l *eventLog) kinds() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, ev := range l.evs {
		if strings.HasPrefix(ev.Kind, "cron.") {
			out = append(out, ev.Kind+" "+ev.Message)
		}
	}
	return out
}

// cronRig is the engine rig on a fixed cronClock, with one deployed app "shop".
func cronRig(t *testing.T) (*rig, *cronClock, *eventLog) {
	t.Helper()
	r := newRig(t)
	clk := &cronClock{}
	clk.Set("2026-01-01T00:00:00Z")
	evs := &eventLog{}
	r.eng = newCronEngine(r, clk, evs)
	r.mustPush("shop", "img1")
	return r, clk, evs
}

func newCronEngine(r *rig, clk *cronClock, evs *eventLog) *engine.Engine {
	return engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		Now: clk.Now, Sinks: []engine.EventSink{evs},
	})
}

func (r *rig) cronRuns(t *testing.T, app, job string) []*engine.CronRun {
	t.Helper()
	runs, err := r.eng.CronHistory(context.Background(), app, job, 0)
	require.NoError(t, err)
	return runs
}

// cronCommands returns the commands of the one-off containers run so far.
func (r *rig) cronCommands() []string {
	var out []string
	for _, s := range r.rt.Runs() {
		out = append(out, strings.Join(s.Entrypoint, " "))
	}
	return out
}

func TestCronRunsEachSlotOnce(t *testing.T) {
	r, clk, _ := cronRig(t)
	ctx := context.Background()
	j, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "report", Schedule: "*/15 * * * *", Command: []string{"bin/report", "--all"}})
	require.NoError(t, err)
	assert.Equal(t, "2026-01-01T00:15:00Z", j.NextRun.Format(time.RFC3339))
	assert.Equal(t, time.Hour, j.Timeout)
	assert.Equal(t, engine.CronOverlapSkip, j.Overlap)

	r.eng.TickCron(ctx) // not due yet
	clk.Set("2026-01-01T00:15:04Z")
	r.eng.TickCron(ctx)
	r.eng.TickCron(ctx) // the same slot again: nothing
	r.eng.WaitCron()
	assert.Equal(t, []string{"bin/report --all"}, r.cronCommands())

	// A second server process (a restart) at the same time does not run it again.
	other := newCronEngine(r, clk, &eventLog{})
	other.TickCron(ctx)
	other.WaitCron()
	assert.Len(t, r.cronCommands(), 1)

	runs := r.cronRuns(t, "shop", "report")
	require.Len(t, runs, 1)
	assert.Equal(t, engine.CronSucceeded, runs[0].Status)
	assert.Equal(t, "schedule", runs[0].Trigger)
	assert.Equal(t, "2026-01-01T00:15:00Z", runs[0].Slot.Format(time.RFC3339))
	got, err := r.eng.CronJob(ctx, "shop", "report")
	require.NoError(t, err)
	assert.Equal(t, "2026-01-01T00:30:00Z", got.NextRun.Format(time.RFC3339))
}

func TestCronMissedSlotsRunOnce(t *testing.T) {
	r, clk, evs := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "sync", Schedule: "@hourly", Command: []string{"sync"}})
	require.NoError(t, err)
	clk.Set("2026-01-01T05:30:00Z") // down from 00:00 to 05:30: 5 slots missed
	r.eng.TickCron(ctx)
	r.eng.TickCron(ctx)
	r.eng.WaitCron()
	assert.Len(t, r.cronCommands(), 1)
	runs := r.cronRuns(t, "shop", "sync")
	require.Len(t, runs, 1)
	assert.Equal(t, "missed", runs[0].Trigger)
	assert.Contains(t, runs[0].Message, "run once for 5 slots")
	assert.Contains(t, strings.Join(evs.kinds(), "\n"), "cron.missed")
	got, _ := r.eng.CronJob(ctx, "shop", "sync")
	assert.Equal(t, "2026-01-01T06:00:00Z", got.NextRun.Format(time.RFC3339))
}

func TestCronFailureRaisesEvent(t *testing.T) {
	r, clk, evs := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "broken", Schedule: "* * * * *", Command: []string{"job", "exit=3"}})
	require.NoError(t, err)
	clk.Set("2026-01-01T00:01:00Z")
	r.eng.TickCron(ctx)
	r.eng.WaitCron()
	runs := r.cronRuns(t, "shop", "broken")
	require.Len(t, runs, 1)
	assert.Equal(t, engine.CronFailed, runs[0].Status)
	assert.Equal(t, 3, runs[0].ExitCode)
	assert.Equal(t, []string{"cron.failed scheduled job broken failed: exited with code 3 (see quayside logs shop --process cron.broken)"}, evs.kinds())
}

func TestCronTimeoutAndOverlap(t *testing.T) {
	r, clk, evs := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "slow", Schedule: "* * * * *", Command: []string{"hang"}, Timeout: time.Second})
	require.NoError(t, err)
	clk.Set("2026-01-01T00:01:00Z")
	r.eng.TickCron(ctx)
	clk.Set("2026-01-01T00:02:00Z")
	r.eng.TickCron(ctx) // the first run still hangs: skipped
	_, err = r.eng.RunCronJob(ctx, "shop", "slow")
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err), "a job runs once at a time, by hand too")
	r.eng.WaitCron()
	runs := r.cronRuns(t, "shop", "slow")
	require.Len(t, runs, 2)
	assert.Equal(t, engine.CronSkipped, runs[0].Status)
	assert.Equal(t, engine.CronTimedOut, runs[1].Status)
	assert.Contains(t, runs[1].Message, "timeout of 1s")
	k := strings.Join(evs.kinds(), "\n")
	assert.Contains(t, k, "cron.missed scheduled job slow skipped")
	assert.Contains(t, k, "cron.failed scheduled job slow timed out")
}

func TestCronQueue(t *testing.T) {
	r, clk, _ := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "q", Schedule: "* * * * *", Command: []string{"hang"},
		Timeout: time.Second, Overlap: engine.CronOverlapQueue})
	require.NoError(t, err)
	for _, at := range []string{"00:01", "00:02", "00:03"} {
		clk.Set("2026-01-01T" + at + ":00Z")
		r.eng.TickCron(ctx)
	}
	r.eng.WaitCron()
	var st []string
	for _, run := range r.cronRuns(t, "shop", "q") {
		st = append(st, run.Status)
	}
	// Newest first: the third slot found one queued already.
	assert.Equal(t, []string{engine.CronSkipped, engine.CronTimedOut, engine.CronTimedOut}, st)
	assert.Len(t, r.cronCommands(), 2)
}

func TestCronRunNowAndPause(t *testing.T) {
	r, clk, _ := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "now", Schedule: "0 3 * * *", Command: []string{"go"}})
	require.NoError(t, err)
	run, err := r.eng.RunCronJob(ctx, "shop", "now")
	require.NoError(t, err)
	assert.Equal(t, "manual by the server", run.Trigger)
	r.eng.WaitCron()

	require.NoError(t, r.eng.PauseCronJob(ctx, "shop", "now", true))
	clk.Set("2026-01-02T03:00:00Z")
	r.eng.TickCron(ctx)
	r.eng.WaitCron()
	assert.Len(t, r.cronCommands(), 1, "a paused job does not run")
	clk.Set("2026-01-03T12:00:00Z")
	require.NoError(t, r.eng.PauseCronJob(ctx, "shop", "now", false))
	j, _ := r.eng.CronJob(ctx, "shop", "now")
	assert.Equal(t, "2026-01-04T03:00:00Z", j.NextRun.Format(time.RFC3339), "resuming does not make up for paused slots")

	require.NoError(t, r.eng.RemoveCronJob(ctx, "shop", "now"))
	_, err = r.eng.CronJob(ctx, "shop", "now")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

func TestCronRejectsBadJobs(t *testing.T) {
	r, _, _ := cronRig(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		job  engine.CronJob
		want string
	}{
		"every second":  {engine.CronJob{Name: "a", Schedule: "* * * * * *", Command: []string{"x"}}, "seconds are not supported"},
		"bad field":     {engine.CronJob{Name: "a", Schedule: "0 25 * * *", Command: []string{"x"}}, "hour field"},
		"bad zone":      {engine.CronJob{Name: "a", Schedule: "@daily", TimeZone: "Mars/Base", Command: []string{"x"}}, "time zone"},
		"no command":    {engine.CronJob{Name: "a", Schedule: "@daily"}, "give the command"},
		"nul byte":      {engine.CronJob{Name: "a", Schedule: "@daily", Command: []string{"x\x00y"}}, "NUL"},
		"huge command":  {engine.CronJob{Name: "a", Schedule: "@daily", Command: []string{strings.Repeat("x", 5000)}}, "limit is 4096"},
		"bad name":      {engine.CronJob{Name: "../etc", Schedule: "@daily", Command: []string{"x"}}, "job name"},
		"long timeout":  {engine.CronJob{Name: "a", Schedule: "@daily", Command: []string{"x"}, Timeout: 48 * time.Hour}, "timeout"},
		"bad overlap":   {engine.CronJob{Name: "a", Schedule: "@daily", Command: []string{"x"}, Overlap: "both"}, "overlap"},
		"unknown app":   {engine.CronJob{App: "nope", Name: "a", Schedule: "@daily", Command: []string{"x"}}, "not found"},
		"bad schedule2": {engine.CronJob{Name: "a", Schedule: "0 0 31 2 *", Command: []string{"x"}}, "never"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.job.App == "" {
				tc.job.App = "shop"
			}
			_, err := r.eng.AddCronJob(ctx, tc.job)
			require.Error(t, err)
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
			assert.NotEqual(t, engine.EINTERNAL, engine.ErrorCode(err))
		})
	}
}

func TestCronJobCap(t *testing.T) {
	r, _, _ := cronRig(t)
	ctx := context.Background()
	for i := range engine.MaxCronJobs {
		_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "j" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Schedule: "@daily", Command: []string{"x"}})
		require.NoError(t, err)
	}
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "onemore", Schedule: "@daily", Command: []string{"x"}})
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "the limit is 50")
	_, err = r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "ja", Schedule: "@daily", Command: []string{"x"}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
}

func TestCronRoles(t *testing.T) {
	r, acc := accessRig(t)
	ann, vic, bob := as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer), as("bob@x.io", engine.RoleDeveloper)
	require.NoError(t, r.eng.PreparePush(ann, "shop", "ignored"))
	require.NoError(t, acc.Grant(as("ada@x.io", engine.RoleAdmin), "shop", "vic@x.io"))
	jobs, err := r.eng.CronJobs(vic, "shop")
	require.NoError(t, err, "a viewer with access reads the jobs")
	assert.Empty(t, jobs)
	_, err = r.eng.AddCronJob(ann, engine.CronJob{App: "shop", Name: "report", Schedule: "@daily", Command: []string{"x"}})
	require.NoError(t, err)
	_, err = r.eng.AddCronJob(vic, engine.CronJob{App: "shop", Name: "evil", Schedule: "@daily", Command: []string{"x"}})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "a viewer cannot add")
	_, err = r.eng.RunCronJob(vic, "shop", "report")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "a viewer cannot run")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.PauseCronJob(vic, "shop", "report", true)))
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.RemoveCronJob(vic, "shop", "report")))
	_, err = r.eng.CronJobs(bob, "shop")
	assert.Contains(t, []string{engine.EFORBIDDEN, engine.ENOTFOUND}, engine.ErrorCode(err), "a developer without access cannot see the jobs")
	_, err = r.eng.CronHistory(bob, "shop", "", 0)
	assert.Contains(t, []string{engine.EFORBIDDEN, engine.ENOTFOUND}, engine.ErrorCode(err))
}
