package engine_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// cronFiles is a commit with the given files.
type cronFiles map[string]string

func (cronFiles) Archive(context.Context, io.Writer) error { return nil }
func (s cronFiles) ReadFile(_ context.Context, path string) ([]byte, error) {
	if v, ok := s[path]; ok {
		return []byte(v), nil
	}
	return nil, engine.Errorf(engine.ENOTFOUND, "no such file")
}

func (r *rig) pushFiles(app, commit string, files cronFiles) (string, error) {
	r.t.Helper()
	require.NoError(r.t, r.eng.PreparePush(context.Background(), app, "alice"))
	var out bytes.Buffer
	_, err := r.eng.Push(context.Background(), engine.PushRequest{
		App: app, Ref: "refs/heads/main", NewCommit: commit, Author: "alice", Source: files, Output: &out,
	})
	return out.String(), err
}

func (r *rig) jobNames(t *testing.T, app string) map[string]string {
	t.Helper()
	jobs, err := r.eng.CronJobs(context.Background(), app)
	require.NoError(t, err)
	out := map[string]string{}
	for _, j := range jobs {
		out[j.Name] = j.Source + " " + j.Schedule
	}
	return out
}

func TestCronFromAppJSON(t *testing.T) {
	r, _, _ := cronRig(t)
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "by-hand", Schedule: "@daily", Command: []string{"x"}})
	require.NoError(t, err)

	out, err := r.pushFiles("shop", "img2", cronFiles{"app.json": `{"name": "shop", "cron": [
		{"command": "bin/report --all", "schedule": "0 3 * * *"},
		{"name": "cleanup", "command": "bin/clean | tee /tmp/x", "schedule": "@hourly", "time_zone": "Europe/Paris", "timeout": "10m"}]}`})
	require.NoError(t, err, out)
	assert.Contains(t, out, "Scheduled jobs from app.json: bin-report-all, cleanup")
	assert.Equal(t, map[string]string{"by-hand": "manual @daily", "bin-report-all": "app.json 0 3 * * *", "cleanup": "app.json @hourly"}, r.jobNames(t, "shop"))
	j, err := r.eng.CronJob(ctx, "shop", "bin-report-all")
	require.NoError(t, err)
	c, err := r.eng.CronJob(ctx, "shop", "cleanup")
	require.NoError(t, err)
	assert.Equal(t, []string{"sh", "-c", "bin/clean | tee /tmp/x"}, c.Command, "shell syntax runs with sh -c")
	assert.Equal(t, 10*time.Minute, c.Timeout)
	assert.Equal(t, "Europe/Paris", c.TimeZone)
	assert.Equal(t, []string{"bin/report", "--all"}, j.Command, "plain words run without a shell")

	// A bad entry fails the push before building, naming the entry; the jobs stay.
	before, err := r.db.ListReleases(ctx, "shop", 100)
	require.NoError(t, err)
	_, err = r.pushFiles("shop", "img3", cronFiles{"app.json": `{"cron": [{"command": "ok", "schedule": "@daily"},
		{"command": "bin/every-second", "schedule": "* * * * * *"}]}`})
	require.Error(t, err)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), `app.json line 2: cron entry 2 ("bin/every-second")`)
	assert.Contains(t, engine.ErrorMessage(err), "seconds are not supported")
	after, err := r.db.ListReleases(ctx, "shop", 100)
	require.NoError(t, err)
	assert.Len(t, after, len(before), "no release is made")
	assert.Len(t, r.jobNames(t, "shop"), 3)

	_, err = r.pushFiles("shop", "img3", cronFiles{"app.json": "{\n\"cron\": [\n{\"command\": \"x\" \"schedule\": \"@daily\"}]}"})
	assert.Contains(t, engine.ErrorMessage(err), "app.json is not valid: line 3: invalid character")
	for name, doc := range map[string]string{
		"not json":       `{"cron": [`,
		"hand name":      `{"cron": [{"name": "by-hand", "command": "x", "schedule": "@daily"}]}`,
		"no schedule":    `{"cron": [{"command": "x"}]}`,
		"bad timeout":    `{"cron": [{"command": "x", "schedule": "@daily", "timeout": "soon"}]}`,
		"duplicate name": `{"cron": [{"name": "a", "command": "x", "schedule": "@daily"}, {"name": "a", "command": "y", "schedule": "@daily"}]}`,
	} {
		_, err := r.pushFiles("shop", "img4", cronFiles{"app.json": doc})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), name)
	}

	// Removing the entries from app.json removes the jobs at the next push; the hand-added one stays.
	out, err = r.pushFiles("shop", "img5", cronFiles{"app.json": `{"name": "shop"}`})
	require.NoError(t, err, out)
	assert.Equal(t, map[string]string{"by-hand": "manual @daily"}, r.jobNames(t, "shop"))

	err = r.eng.RemoveCronJob(ctx, "shop", "by-hand")
	require.NoError(t, err)
}

func TestCronAppJSONJobCannotBeRemovedByHand(t *testing.T) {
	r, _, _ := cronRig(t)
	out, err := r.pushFiles("shop", "img2", cronFiles{"app.json": `{"cron": [{"name": "nightly", "command": "x", "schedule": "@daily"}]}`})
	require.NoError(t, err, out)
	err = r.eng.RemoveCronJob(context.Background(), "shop", "nightly")
	assert.Contains(t, engine.ErrorMessage(err), "declared in app.json")
	require.NoError(t, r.eng.PauseCronJob(context.Background(), "shop", "nightly", true))
	// A push keeps the pause of an unchanged entry.
	_, err = r.pushFiles("shop", "img3", cronFiles{"app.json": `{"cron": [{"name": "nightly", "command": "x", "schedule": "@daily"}]}`})
	require.NoError(t, err)
	j, err := r.eng.CronJob(context.Background(), "shop", "nightly")
	require.NoError(t, err)
	assert.True(t, j.Paused)
}

// An app.json of 256 KiB holding ~87,000 cron entries is refused by its
// count before any entry is read: finding every entry's line scanned the
// file once per entry, seconds of CPU per push. The last entry is broken,
// so a push that read the entries first fails on it instead of the count.
func TestCronAppJSONManyEntriesRefusedAtOnce(t *testing.T) {
	r, _, _ := cronRig(t)
	n := 87000
	doc := `{"cron":[` + strings.Repeat("{},", n-1) + `{"name": 5}]}`
	start := time.Now()
	out, err := r.pushFiles("shop", "img2", cronFiles{"app.json": doc})
	t.Logf("refused in %s", time.Since(start))
	require.Error(t, err, out)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "app.json declares 87000 scheduled jobs: the limit is 50")
	assert.Empty(t, r.jobNames(t, "shop"))
}
