package engine_test

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
	"github.com/quayside/quayside/internal/enginetest"
)

// gitLog is a Source with a commit graph: it answers Commits like git
// rev-list since..commit.
type gitLog struct {
	enginetest.Source
	commit  string
	parents map[string][]string
	dates   map[string]time.Time
}

func (g gitLog) Commits(_ context.Context, exclude []string, limit int) ([]engine.Commit, error) {
	seen := map[string]bool{}
	found := 0
	for _, x := range exclude {
		if _, ok := g.parents[x]; ok {
			found++
			for c := range g.reach(x) {
				seen[c] = true
			}
		}
	}
	if len(exclude) > 0 && found == 0 {
		return nil, engine.Errorf(engine.ENOTFOUND, "none of %v", exclude)
	}
	var out []engine.Commit
	for _, sha := range g.order(g.commit) {
		if !seen[sha] && len(out) < limit {
			out = append(out, engine.Commit{SHA: sha, Committed: g.dates[sha], Authored: g.dates[sha], Parents: len(g.parents[sha])})
		}
	}
	return out, nil
}

func (g gitLog) reach(from string) map[string]bool {
	seen := map[string]bool{}
	for _, c := range g.order(from) {
		seen[c] = true
	}
	return seen
}

// order lists from and its ancestors, newest first.
func (g gitLog) order(from string) []string {
	if from == "" {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(string)
	walk = func(c string) {
		if seen[c] {
			return
		}
		seen[c] = true
		out = append(out, c)
		for _, p := range g.parents[c] {
			walk(p)
		}
	}
	walk(from)
	sort.SliceStable(out, func(i, j int) bool { return g.dates[out[i]].After(g.dates[out[j]]) })
	return out
}

func TestInsightsFromRealPushes(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).UTC()
	g := gitLog{
		parents: map[string][]string{
			"old": nil, "img1": {"old"}, "a": {"img1"}, "b": {"img1"}, "m": {"a", "b"}, "img2": {"m"},
			"broken": {"img2"}, "img3": {"broken"}, "rewritten": {"img1"}, "img4": {"rewritten"}, "img5": {"img4"},
		},
		dates: map[string]time.Time{},
	}
	for i, c := range []string{"old", "img1", "a", "b", "m", "img2", "broken", "img3", "rewritten", "img4", "img5"} {
		g.dates[c] = base.Add(time.Duration(i) * time.Minute)
	}
	branch := strings.Repeat("0", 40) // where the branch points, as git tells the hook
	push := func(commit string) error {
		require.NoError(t, r.eng.PreparePush(ctx, "shop", "alice"))
		src := g
		src.commit = commit
		_, err := r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/main", OldCommit: branch, NewCommit: commit, Author: "alice", Source: src})
		if err == nil {
			branch = commit
		}
		return err
	}
	require.NoError(t, push("img1"))
	require.NoError(t, push("img2"))
	require.Error(t, push("broken"))
	require.NoError(t, push("img3"))
	_, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 2})
	require.NoError(t, err)
	require.NoError(t, push("img4")) // a force push: img4 does not descend from img2
	_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 4})
	require.NoError(t, err)
	require.NoError(t, push("img5")) // on top of img4 while v4 (img3) serves

	commitsOf := func(n int) []string {
		facts, err := r.db.ReleaseFacts(ctx, base.Add(-time.Hour))
		require.NoError(t, err)
		for _, f := range facts {
			if f.Release.Number == n {
				var shas []string
				for _, c := range f.Commits {
					shas = append(shas, c.SHA)
				}
				return shas
			}
		}
		t.Fatalf("no release %d", n)
		return nil
	}
	assert.Equal(t, []string{"img1"}, commitsOf(1), "a first deploy records the pushed commit alone")
	assert.Equal(t, []string{"img2", "m", "b", "a"}, commitsOf(2), "merges and both sides of them")
	assert.Equal(t, []string{"broken"}, commitsOf(3))
	assert.Equal(t, []string{"img3", "broken"}, commitsOf(4), "commits of a failed push come again with the next")
	assert.Equal(t, []string{"img4", "rewritten"}, commitsOf(6), "since the commit that serves (the rollback's)")
	assert.Equal(t, []string{"img5"}, commitsOf(8), "what the branch reached before was live already")

	ti, err := r.eng.Insights(ctx, "", 7*insights.Day)
	require.NoError(t, err)
	assert.Equal(t, []string{"shop"}, ti.Apps)
	cur := ti.Team.Current
	assert.Equal(t, 5, cur.Frequency.Pushes)
	assert.Equal(t, 2, cur.Frequency.Rollbacks)
	assert.Equal(t, 6, cur.Failure.Changes)
	assert.Equal(t, 1, cur.Failure.BeforeLive, "the broken push")
	assert.Equal(t, 2, cur.Failure.AfterLive, "img3 and img4 were rolled back")
	assert.Equal(t, 2, cur.Recovery.Recovered)
	assert.Equal(t, 10, cur.LeadTime.Commits, "img1 img2 m a b broken img3 rewritten img4 img5, each once")
	assert.Equal(t, ti.Team.Current, ti.PerApp[0].Report.Current)
}

func TestInsightsRecordsCrashLoops(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	require.NoError(t, r.eng.Start(ctx))
	t.Cleanup(func() { r.eng.Close() })
	cur := r.rt.Running("shop")[0]
	for range 3 {
		r.rt.Emit(engine.RuntimeEvent{Action: engine.EventDie, Container: *cur, ExitCode: 2, Time: time.Now()})
	}
	waitUntil(t, func() bool { return count(r.eventKinds("shop"), engine.EventCrashLooping) == 1 })
	ti, err := r.eng.Insights(ctx, "shop", 30*insights.Day)
	require.NoError(t, err)
	f := ti.Team.Current
	assert.Equal(t, 1, f.Failure.AfterLive, "a crash loop within a day of going live fails the change")
	assert.Equal(t, 1, f.Recovery.Open)
}

func TestInsightsPeriodAndVisibility(t *testing.T) {
	r, acc := accessRig(t)
	ann, bob, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper),
		as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	for _, p := range []struct {
		who context.Context
		app string
	}{{ann, "shop"}, {bob, "bank"}} {
		require.NoError(t, r.eng.PreparePush(p.who, p.app, ""))
		_, err := r.eng.Push(p.who, engine.PushRequest{App: p.app, Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
		require.NoError(t, err)
	}
	require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))

	ti, err := r.eng.Insights(vic, "", 30*insights.Day)
	require.NoError(t, err)
	assert.Equal(t, []string{"shop"}, ti.Apps, "a viewer's team figures count only the apps they may see")
	assert.Equal(t, 1, ti.Team.Current.Frequency.Deploys)
	_, err = r.eng.Insights(vic, "bank", 30*insights.Day)
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "another team's app does not exist for them")
	all, err := r.eng.Insights(ada, "", 30*insights.Day)
	require.NoError(t, err)
	assert.Equal(t, 2, all.Team.Current.Frequency.Deploys)

	for _, p := range []time.Duration{0, time.Hour, 400 * insights.Day} {
		_, err := r.eng.Insights(ada, "", p)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "period %s", p)
		assert.Contains(t, engine.ErrorMessage(err), "between 1 day and 365 days")
	}
}

func TestInsightsAndCatalogLeavePreviewsOut(t *testing.T) {
	r := catalogRig(t)
	ctx := context.Background()
	_, err := pushWith(t, r, "shop", "img1", files{engine.CatalogFile: shopCatalog})
	require.NoError(t, err)
	r.enablePreviews("shop", time.Hour, 3)
	var buf bytes.Buffer
	_, err = r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/feature/x", NewCommit: "img2",
		Source: fileSource{files: files{engine.CatalogFile: "kind: [broken"}}, Output: &buf})
	out := buf.String()
	require.NoError(t, err, out)
	require.Contains(t, out, "Preview of branch feature/x")
	assert.NotContains(t, out, "Warning", "a preview's push does not read the catalog file")

	ti, err := r.eng.Insights(ctx, "", 30*insights.Day)
	require.NoError(t, err)
	assert.Equal(t, []string{"shop"}, ti.Apps, "previews are no part of the team's figures")
	assert.Equal(t, 1, ti.Team.Current.Frequency.Deploys)
	_, err = r.eng.Insights(ctx, "shop--feature-x", 30*insights.Day)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "preview")

	items, err := r.eng.CatalogView(ctx)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, "shop", items[0].App)
}
