package engine_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// RemoveAppKeeping records what a destroy asked the runtime to keep and
// removes the app's other images.
func (j *janitorRuntime) RemoveAppKeeping(_ context.Context, app string, keep []string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.kept = append(j.kept, keep...)
	j.images = slices.DeleteFunc(j.images, func(i engine.StoredImage) bool {
		return i.App == app && !slices.Contains(keep, i.ID) && !slices.ContainsFunc(i.Tags, func(t string) bool { return slices.Contains(keep, t) })
	})
	return nil
}

// promote promotes source into target as the engine's own work.
func (r *rig) promote(source, target string) (*engine.Release, string, error) {
	var out bytes.Buffer
	rel, err := r.eng.Promote(context.Background(), engine.PromoteRequest{Source: source, Target: target, Author: "carol", Output: &out})
	return rel, out.String(), err
}

// stagingAndProduction pushes staging (commit s1, config S=1) and
// production (commit p1, config P=1).
func stagingAndProduction(t *testing.T, r *janitorRig) {
	ctx := context.Background()
	r.mustPush("staging", "s1")
	r.mustPush("production", "p1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "staging", Set: map[string]string{"S": "1"}})
	require.NoError(t, err)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "production", Set: map[string]string{"P": "1"}})
	require.NoError(t, err)
}

func TestPromote(t *testing.T) {
	ctx := context.Background()
	r := newJanitorRig(t, 5)
	stagingAndProduction(t, r)
	builds := len(r.pb.built())

	rel, out, err := r.promote("staging", "production")
	require.NoError(t, err, out)

	t.Run("production runs staging's image with its own config and nothing was built", func(t *testing.T) {
		assert.Equal(t, "s1", r.servingImage("production"))
		env := last(r.rt.Started()).Env
		assert.Equal(t, "1", env["P"])
		assert.NotContains(t, env, "S", "the source's config stays with the source")
		assert.Len(t, r.pb.built(), builds, "no build ran")
		assert.Equal(t, "s1", r.servingImage("staging"), "the source keeps serving")
	})
	t.Run("the release says where it came from", func(t *testing.T) {
		got := r.release("production", rel.Number)
		assert.Equal(t, engine.KindPromote, got.Kind)
		assert.Equal(t, "staging", got.PromotedFrom)
		assert.Equal(t, 2, got.PromotedRelease, "staging's current release: v2 (config S=1)")
		assert.Equal(t, "Promoted from staging v2 (s1)", got.Description)
		assert.Equal(t, "s1", got.Commit)
		assert.Equal(t, engine.ReleaseActive, got.Status)
		assert.Contains(t, out, "Promoting staging v2 (commit s1) to production")
		evs, err := r.eng.Events(ctx, "production", 0, 1)
		require.NoError(t, err)
		assert.Contains(t, evs[0].Message, "promoted from staging v2 by carol")
	})
	t.Run("rollback works across it", func(t *testing.T) {
		back, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "production"})
		require.NoError(t, err)
		assert.Equal(t, rel.Number-1, back.RollbackOf)
		assert.Equal(t, "p1", r.servingImage("production"))
		again, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "production", To: rel.Number})
		require.NoError(t, err)
		assert.Equal(t, "s1", r.servingImage("production"))
		assert.Equal(t, "1", last(r.rt.Started()).Env["P"], "rolled back to the promotion, with its config")
		assert.Equal(t, engine.KindRollback, again.Kind)
	})
}

func TestPromoteRefusals(t *testing.T) {
	ctx := context.Background()
	r := newJanitorRig(t, 5)
	stagingAndProduction(t, r)
	_, err := r.eng.CreateApp(ctx, "empty", "alice")
	require.NoError(t, err)
	serving := func() string { return r.servingImage("production") }

	cases := []struct {
		name, source, target, code, msg string
		prepare                         func()
	}{
		{name: "into itself", source: "production", target: "production", code: engine.EINVALID, msg: "cannot be promoted into itself"},
		{name: "no source named", source: "", target: "production", code: engine.EINVALID, msg: "quayside promote SOURCE TARGET"},
		{name: "unknown source", source: "ghost", target: "production", code: engine.ENOTFOUND},
		{name: "unknown target", source: "staging", target: "ghost", code: engine.ENOTFOUND},
		{name: "source without a release", source: "empty", target: "production", code: engine.EINVALID, msg: "empty has no release yet"},
		{name: "source image collected", source: "staging", target: "production", code: engine.EINVALID, msg: "the image of staging v2 was removed",
			prepare: func() { r.setImage("staging", 2, "") }},
		{name: "source image gone from the runtime", source: "staging", target: "production", code: engine.EINVALID, msg: "no longer in the runtime",
			prepare: func() { r.setImage("staging", 2, "missing") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.prepare != nil {
				c.prepare()
			}
			_, _, err := r.promote(c.source, c.target)
			require.Error(t, err)
			assert.Equal(t, c.code, engine.ErrorCode(err), engine.ErrorMessage(err))
			assert.Contains(t, engine.ErrorMessage(err), c.msg)
			assert.Equal(t, "p1", serving(), "production keeps serving what it served")
		})
	}
}

// setImage rewrites the image a release names, as garbage collection or a
// removal outside Quayside would leave it.
func (r *rig) setImage(app string, n int, image string) {
	rel := r.release(app, n)
	rel.Image = image
	require.NoError(r.t, r.db.UpdateRelease(context.Background(), rel))
}

func TestPromoteAccess(t *testing.T) {
	r, acc := accessRig(t)
	ann, bob, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper),
		as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	for _, app := range []string{"staging", "production", "secret"} {
		require.NoError(t, r.eng.PreparePush(ada, app, ""))
		_, err := r.eng.Push(ada, engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: app + "-img", Source: enginetest.Source{}})
		require.NoError(t, err)
	}
	grant := func(app, user string) { require.NoError(t, acc.Grant(ada, app, user)) }
	grant("staging", "ann@x.io")
	grant("production", "ann@x.io")
	grant("production", "bob@x.io") // bob cannot see staging
	grant("staging", "vic@x.io")
	grant("production", "vic@x.io")
	promote := func(ctx context.Context, src, dst string) error {
		_, err := r.eng.Promote(ctx, engine.PromoteRequest{Source: src, Target: dst})
		return err
	}

	t.Run("from an app the caller cannot see: not found, as if it did not exist", func(t *testing.T) {
		err := promote(bob, "staging", "production")
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		err = promote(ann, "secret", "production")
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	})
	t.Run("into an app the caller cannot deploy", func(t *testing.T) {
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(promote(vic, "staging", "production")), "viewers deploy nothing")
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(promote(ann, "production", "secret")))
		assert.Equal(t, "production-img", r.servingImage("production"))
	})
	t.Run("a developer of both may, and the audit log says so", func(t *testing.T) {
		require.NoError(t, promote(ann, "staging", "production"))
		assert.Equal(t, "staging-img", r.servingImage("production"))
		entries, err := acc.ListAudit(context.Background(), engine.AuditQuery{App: "production"})
		require.NoError(t, err)
		var found, denied bool
		for _, e := range entries {
			if e.Action == engine.AuditPromote && e.Success {
				found = true
				assert.Equal(t, "ann@x.io", e.Actor)
				assert.Equal(t, "staging", e.Target)
				assert.Equal(t, "promoted from staging v1 (staging)", e.Detail)
			}
			denied = denied || e.Action == "denied."+string(engine.ActDeploy)
		}
		assert.True(t, found, "promotion audited: %+v", entries)
		assert.True(t, denied, "the viewer's attempt is audited")
	})
}

func TestPromotedImagesSurviveTheSourcesRetention(t *testing.T) {
	ctx := context.Background()
	r := newJanitorRig(t, 1)
	_, err := r.eng.CreateApp(ctx, "production", "alice")
	require.NoError(t, err)
	r.mustPush("staging", "s1")
	r.jr.addImage(engine.StoredImage{ID: "id-s1", Tags: []string{"s1"}, App: "staging", Bytes: 10})
	_, out, err := r.promote("staging", "production")
	require.NoError(t, err, out)
	for _, c := range []string{"s2", "s3"} {
		r.mustPush("staging", c)
		r.jr.addImage(engine.StoredImage{ID: "id-" + c, Tags: []string{c}, App: "staging", Bytes: 10})
	}

	t.Run("deploys of the source keep the image production runs", func(t *testing.T) {
		assert.NotContains(t, r.rt.RemovedImages(), "s1")
		assert.Equal(t, "s1", r.release("staging", 1).Image)
	})
	t.Run("gc keeps it too", func(t *testing.T) {
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.NotContains(t, gcNames(rep, engine.GCImage), "s1")
		assert.Contains(t, r.jr.imageIDs(), "id-s1")
	})
	t.Run("destroying the source leaves it", func(t *testing.T) {
		require.NoError(t, r.eng.Destroy(ctx, "staging"))
		assert.Contains(t, r.jr.kept, "s1")
		assert.Contains(t, r.jr.imageIDs(), "id-s1")
		rep, err := r.eng.CollectGarbage(ctx, engine.GCPolicy{})
		require.NoError(t, err)
		assert.NotContains(t, gcNames(rep, engine.GCImage), "s1", "an orphan image a kept release uses stays")
		assert.Equal(t, "s1", r.servingImage("production"))
	})
	t.Run("once production moves on, its retention removes it and the release forgets it", func(t *testing.T) {
		r.mustPush("production", "p2")
		r.mustPush("production", "p3")
		assert.NotContains(t, r.jr.imageIDs(), "id-s1")
		assert.Empty(t, r.release("production", 1).Image)
		_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "production", To: 1})
		assert.Contains(t, engine.ErrorMessage(err), "was removed to save disk")
	})
}
