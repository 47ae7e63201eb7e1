package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// ids returns the IDs of app's running containers of typ.
func (r *rig) ids(app, typ string) []string {
	var out []string
	for _, c := range r.rt.Running(app) {
		if c.Process == typ {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestRestartReplacesOneTypeWithoutARelease(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": 2, "worker": 1}})
	require.NoError(t, err)
	web, worker := r.ids("shop", "web"), r.ids("shop", "worker")
	backends := r.backends("shop")

	require.NoError(t, r.eng.Restart(ctx, engine.RestartRequest{App: "shop", Process: "web"}))
	assert.Len(t, r.ids("shop", "web"), 2)
	assert.NotContains(t, r.ids("shop", "web"), web[0])
	assert.NotContains(t, r.ids("shop", "web"), web[1])
	assert.Equal(t, worker, r.ids("shop", "worker"), "other types run on")
	assert.Len(t, r.backends("shop"), 2)
	assert.NotEqual(t, backends, r.backends("shop"), "traffic goes to the new containers")
	app, err := r.eng.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, 1, app.CurrentRelease, "a restart makes no release")

	t.Run("unknown and idle types are refused with a reason", func(t *testing.T) {
		err := r.eng.Restart(ctx, engine.RestartRequest{App: "shop", Process: "nope"})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "has no process type")
		_, err = r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"worker": 0}})
		require.NoError(t, err)
		err = r.eng.Restart(ctx, engine.RestartRequest{App: "shop", Process: "worker"})
		assert.Contains(t, engine.ErrorMessage(err), "scaled to 0")
	})
	t.Run("an app without a release has nothing to restart", func(t *testing.T) {
		_, err := r.eng.CreateApp(ctx, "empty", "alice")
		require.NoError(t, err)
		err = r.eng.Restart(ctx, engine.RestartRequest{App: "empty", Process: "web"})
		assert.Contains(t, engine.ErrorMessage(err), "no release yet")
	})
}

func TestRedeployRunsTheCurrentReleaseAgain(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1"}})
	require.NoError(t, err)
	before := r.ids("shop", "web")

	rel, err := r.eng.Redeploy(ctx, engine.RedeployRequest{App: "shop", Author: "bob"})
	require.NoError(t, err)
	assert.Equal(t, 3, rel.Number)
	assert.Equal(t, "Redeploy of v2", rel.Description)
	assert.Equal(t, r.release("shop", 2).ConfigVersion, rel.ConfigVersion, "same config")
	assert.Equal(t, "img1", r.servingImage("shop"), "same image, nothing rebuilt")
	assert.NotEqual(t, before, r.ids("shop", "web"), "fresh containers")
	assert.Equal(t, engine.ReleaseActive, r.release("shop", 3).Status)

	_, err = r.eng.CreateApp(ctx, "empty", "alice")
	require.NoError(t, err)
	_, err = r.eng.Redeploy(ctx, engine.RedeployRequest{App: "empty"})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
}

func TestConfigDiffs(t *testing.T) {
	d := engine.DiffConfig(map[string]string{"A": "1", "B": "2", "C": "3"}, map[string]string{"A": "1", "B": "x", "D": "4"})
	assert.Equal(t, engine.ConfigDiff{Added: []string{"D"}, Changed: []string{"B"}, Removed: []string{"C"}}, d)
	assert.True(t, engine.DiffConfig(nil, map[string]string{}).Empty())

	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1", "B": "2"}})
	require.NoError(t, err)
	p, err := r.eng.DryRunConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"B": "3", "C": "x"}, Unset: []string{"A"}})
	require.NoError(t, err)
	assert.Equal(t, engine.ConfigDiff{Added: []string{"C"}, Changed: []string{"B"}, Removed: []string{"A"}}, p)
	_, err = r.eng.DryRunConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"bad key": "1"}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	v, err := r.eng.ConfigVersionDiff(ctx, "shop", 1, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B"}, v.Removed)
}
