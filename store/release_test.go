package store

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCreateReleaseStoresEveryField(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web"}))
	first := mustCreateRelease(t, db, "web")
	finished := time.Date(2026, 2, 3, 4, 5, 6, 7, time.FixedZone("x", 3600))
	r := &engine.Release{
		App: "web", Number: 99, Kind: engine.KindRollback, Status: engine.ReleaseFailed,
		Description: "Rollback to v1", Image: "sha256:abc", Port: 8080, BuildMethod: "dockerfile",
		Commit: "3f2a9c1", Author: "bob", ConfigVersion: 1, RollbackOf: first.Number,
		Error: "boom\nlast lines", FinishedAt: finished,
	}
	require.NoError(t, db.CreateRelease(ctx, r))
	assert.Equal(t, 2, r.Number, "the number is assigned, not taken from the argument")
	assert.Equal(t, clk.t, r.CreatedAt)
	assert.Equal(t, finished.UTC(), r.FinishedAt)

	got, err := db.FindRelease(ctx, "web", 2)
	require.NoError(t, err)
	assert.Equal(t, r, got)
}

func TestCreateReleaseDefaults(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "web")
	r := &engine.Release{App: "web"}
	require.NoError(t, db.CreateRelease(t.Context(), r))
	assert.Equal(t, engine.KindDeploy, r.Kind)
	assert.Equal(t, engine.ReleaseBuilding, r.Status)
	assert.True(t, r.FinishedAt.IsZero())
	got, err := db.FindRelease(t.Context(), "web", r.Number)
	require.NoError(t, err)
	assert.Equal(t, r, got)
}

func TestCreateReleaseErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	tests := []struct {
		name  string
		r     engine.Release
		code  string
		parts []string
	}{
		{"missing app", engine.Release{App: "nope"}, engine.ENOTFOUND, []string{`app "nope" not found`}},
		{"missing config version", engine.Release{App: "web", ConfigVersion: 4}, engine.ENOTFOUND, []string{`config version 4 of app "web" not found`}},
		{"missing rollback target", engine.Release{App: "web", Kind: engine.KindRollback, RollbackOf: 5}, engine.ENOTFOUND, []string{`release 5 of app "web" not found`}},
		{"bad kind", engine.Release{App: "web", Kind: "magic"}, engine.EINVALID, []string{"magic"}},
		{"bad status", engine.Release{App: "web", Status: "done"}, engine.EINVALID, []string{"done"}},
		{"negative port", engine.Release{App: "web", Port: -1}, engine.EINVALID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			requireCode(t, db.CreateRelease(ctx, &r), tt.code, tt.parts...)
			assert.Zero(t, r.Number)
		})
	}
	rs, err := db.ListReleases(ctx, "web", 0)
	require.NoError(t, err)
	assert.Empty(t, rs, "no failed create wrote anything")
}

func TestReleaseNumbersArePerApp(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "a")
	mustCreateApp(t, db, "b")
	assert.Equal(t, 1, mustCreateRelease(t, db, "a").Number)
	assert.Equal(t, 2, mustCreateRelease(t, db, "a").Number)
	assert.Equal(t, 1, mustCreateRelease(t, db, "b").Number)
	assert.Equal(t, 3, mustCreateRelease(t, db, "a").Number)
}

func TestConcurrentCreateReleaseNumbersAreUniqueAndConsecutive(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "web")
	const workers, each = 8, 10
	var (
		mu   sync.Mutex
		nums []int
		wg   sync.WaitGroup
		errs = make(chan error, workers*each)
	)
	for range workers {
		wg.Go(func() {
			for range each {
				r := &engine.Release{App: "web"}
				if err := db.CreateRelease(t.Context(), r); err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				nums = append(nums, r.Number)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	sort.Ints(nums)
	want := make([]int, workers*each)
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, nums)
}

func TestUpdateRelease(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	r := mustCreateRelease(t, db, "web")
	orig := *r

	upd := *r
	upd.Status, upd.Image, upd.Port, upd.BuildMethod = engine.ReleaseFailed, "img", 3000, "buildpacks"
	upd.Error, upd.FinishedAt = "build failed", time.Date(2030, 1, 1, 0, 0, 0, 5, time.UTC)
	upd.Description, upd.Author, upd.Commit, upd.Kind = "changed", "eve", "deadbeef", engine.KindConfig // not written
	require.NoError(t, db.UpdateRelease(ctx, &upd))

	got, err := db.FindRelease(ctx, "web", r.Number)
	require.NoError(t, err)
	want := orig
	want.Status, want.Image, want.Port, want.BuildMethod = upd.Status, upd.Image, upd.Port, upd.BuildMethod
	want.Error, want.FinishedAt = upd.Error, upd.FinishedAt
	assert.Equal(t, &want, got)

	t.Run("clearing FinishedAt", func(t *testing.T) {
		upd.FinishedAt = time.Time{}
		require.NoError(t, db.UpdateRelease(ctx, &upd))
		got, err := db.FindRelease(ctx, "web", r.Number)
		require.NoError(t, err)
		assert.True(t, got.FinishedAt.IsZero())
	})
}

func TestUpdateReleaseErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	r1 := mustCreateRelease(t, db, "web")
	r2 := mustCreateRelease(t, db, "web")
	require.NoError(t, db.ActivateRelease(ctx, "web", r1.Number, time.Now()))

	requireCode(t, db.UpdateRelease(ctx, &engine.Release{App: "nope", Number: 1, Status: engine.ReleaseFailed}), engine.ENOTFOUND, `app "nope" not found`)
	requireCode(t, db.UpdateRelease(ctx, &engine.Release{App: "web", Number: 9, Status: engine.ReleaseFailed}), engine.ENOTFOUND, `release 9 of app "web" not found`)
	requireCode(t, db.UpdateRelease(ctx, &engine.Release{App: "web", Number: 1, Status: "weird"}), engine.EINVALID)

	r2.Status = engine.ReleaseActive
	requireCode(t, db.UpdateRelease(ctx, r2), engine.ECONFLICT, "another release")
	got, err := db.FindRelease(ctx, "web", r2.Number)
	require.NoError(t, err)
	assert.Equal(t, engine.ReleaseBuilding, got.Status)
}

func TestFindReleaseNotFound(t *testing.T) {
	db, _ := openTest(t)
	_, err := db.FindRelease(t.Context(), "nope", 1)
	requireCode(t, err, engine.ENOTFOUND, `app "nope" not found`)
	mustCreateApp(t, db, "web")
	_, err = db.FindRelease(t.Context(), "web", 1)
	requireCode(t, err, engine.ENOTFOUND, `release 1 of app "web" not found`)
}

func TestListReleases(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "other")
	for range 5 {
		mustCreateRelease(t, db, "web")
	}
	mustCreateRelease(t, db, "other")

	numbers := func(rs []*engine.Release) []int {
		var ns []int
		for _, r := range rs {
			assert.Equal(t, "web", r.App)
			ns = append(ns, r.Number)
		}
		return ns
	}
	for _, tt := range []struct {
		limit int
		want  []int
	}{
		{0, []int{5, 4, 3, 2, 1}},
		{-1, []int{5, 4, 3, 2, 1}},
		{2, []int{5, 4}},
		{10, []int{5, 4, 3, 2, 1}},
	} {
		rs, err := db.ListReleases(ctx, "web", tt.limit)
		require.NoError(t, err)
		assert.Equal(t, tt.want, numbers(rs), "limit %d", tt.limit)
	}

	_, err := db.ListReleases(ctx, "nope", 0)
	requireCode(t, err, engine.ENOTFOUND, `app "nope" not found`)
	mustCreateApp(t, db, "empty")
	rs, err := db.ListReleases(ctx, "empty", 0)
	require.NoError(t, err)
	assert.NotNil(t, rs)
	assert.Empty(t, rs)
}
