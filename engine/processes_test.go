package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

var webAndWorker = []engine.Process{
	{Type: "web", Entrypoint: []string{"/app", "serve"}},
	{Type: "worker", Entrypoint: []string{"/app", "work"}},
}

// countRunning counts the running containers of app by process type.
func (r *rig) countRunning(app string) map[string]int {
	n := map[string]int{}
	for _, c := range r.rt.Running(app) {
		n[c.Process]++
	}
	return n
}

func TestScale(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	assert.Equal(t, map[string]int{"web": 1}, r.countRunning("shop"), "workers start at 0, like Heroku")

	var out bytes.Buffer
	app, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": 3, "worker": 2}, Output: &out})
	require.NoError(t, err)
	assert.Equal(t, engine.Scale{"web": 3, "worker": 2}, app.Scale)
	assert.Equal(t, map[string]int{"web": 3, "worker": 2}, r.countRunning("shop"))
	assert.Len(t, r.backends("shop"), 3, "every web replica takes traffic")

	t.Run("scale survives deploys and rollbacks", func(t *testing.T) {
		r.mustPush("shop", "img2")
		assert.Equal(t, map[string]int{"web": 3, "worker": 2}, r.countRunning("shop"))
		_, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop"})
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"web": 3, "worker": 2}, r.countRunning("shop"))
		for _, c := range r.rt.Running("shop") {
			assert.Equal(t, "img1", c.Image)
		}
	})
	t.Run("scaling down drains the web replicas it stops", func(t *testing.T) {
		before := r.backends("shop")
		_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"web": 1, "worker": 0}})
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"web": 1}, r.countRunning("shop"))
		after := r.backends("shop")
		require.Len(t, after, 1)
		for _, addr := range before {
			if addr != after[0] {
				assert.Contains(t, r.router.Drained(), addr)
			}
		}
	})
	t.Run("bad requests change nothing", func(t *testing.T) {
		bad := []engine.Scale{{"wrker": 1}, {"web": -1}, {"web": 21}, {"release": 1}, {"web": 20, "worker": 20}}
		for _, s := range bad {
			_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: s})
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%v", s)
		}
		_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"wrker": 1}})
		assert.Contains(t, engine.ErrorMessage(err), `has no process type "wrker": it has web, worker`)
		assert.Equal(t, map[string]int{"web": 1}, r.countRunning("shop"))
	})
}

func TestWorkerThatCrashesFailsTheDeploy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"worker": 1}})
	require.NoError(t, err)
	r.builder.Processes = []engine.Process{webAndWorker[0], {Type: "worker", Entrypoint: []string{"crash"}}}
	_, _, err = r.push("shop", "img2")
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "worker.1 exited while booting")
	for _, c := range r.rt.Running("shop") {
		assert.Equal(t, "img1", c.Image, "the old release keeps running")
	}
}

func TestReleasePhase(t *testing.T) {
	cases := []struct {
		name, cmd string
		wantErr   string
	}{
		{"succeeds", "migrate", ""},
		{"fails", "exit=3", "the release command exited with code 3"},
		{"hangs", "hang", "ran longer than its timeout of 300ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			r.mustPush("shop", "img1")
			_, err := r.eng.SetHealthCheck(ctx, "shop", engine.HealthCheck{ReleaseTimeout: 300 * time.Millisecond})
			require.NoError(t, err)
			r.builder.Processes = []engine.Process{{Type: "web"}, {Type: "release", Entrypoint: []string{"/bin/" + c.cmd}}}
			_, out, err := r.push("shop", "img2")
			runs := r.rt.Runs()
			require.Len(t, runs, 1)
			assert.Equal(t, "release", runs[0].Process)
			assert.Contains(t, out, "ran [/bin/"+c.cmd+"]", "the release command's output reaches the pusher")
			if c.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "img2", r.servingImage("shop"))
				return
			}
			require.Error(t, err)
			assert.Contains(t, engine.ErrorMessage(err), c.wantErr)
			assert.Equal(t, "img1", r.servingImage("shop"))
			assert.Len(t, r.rt.Running("shop"), 1, "nothing of the new release was started")
		})
	}
}

func TestOneOffRun(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.eng.CreateApp(ctx, "shop", "alice")
	require.NoError(t, err)
	_, err = r.eng.Run(ctx, engine.RunRequest{App: "shop", Command: []string{"ls"}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "no release yet")

	r.mustPush("shop", "img1")
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"DB": "x"}})
	require.NoError(t, err)
	var out bytes.Buffer
	code, err := r.eng.Run(ctx, engine.RunRequest{App: "shop", Command: []string{"/bin/task", "exit=4"}, Output: &out})
	require.NoError(t, err)
	assert.Equal(t, 4, code)
	assert.Contains(t, out.String(), "ran [/bin/task exit=4]")
	run := last(r.rt.Runs())
	assert.Equal(t, "x", run.Env["DB"], "with the app's config")
	assert.Equal(t, "img1", run.Image)

	_, err = r.eng.Run(ctx, engine.RunRequest{App: "shop"})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
}

func TestOldImagesArePruned(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for i := 1; i <= 7; i++ {
		r.mustPush("shop", fmt.Sprintf("img%d", i))
	}
	assert.ElementsMatch(t, []string{"img1", "img2"}, r.rt.RemovedImages(), "the newest 5 keep their images")
	assert.Empty(t, r.release("shop", 1).Image)
	assert.Equal(t, "img3", r.release("shop", 3).Image)
	_, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 2})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "was removed to save disk")

	t.Run("an image a kept release shares stays", func(t *testing.T) {
		_, err := r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", To: 3}) // v8 runs img3
		require.NoError(t, err)
		for i := 8; i <= 12; i++ {
			_, err := r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"N": fmt.Sprint(i)}})
			require.NoError(t, err)
		}
		assert.NotContains(t, r.rt.RemovedImages(), "img3")
	})
}

func TestBuildsWaitForASlot(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.builder.Gate = make(chan struct{})
	errs := make(chan error, 3)
	outs := make([]*lockedWriter, 3)
	for i := range 3 {
		app := fmt.Sprintf("app%d", i)
		require.NoError(t, r.eng.PreparePush(ctx, app, "alice"))
		outs[i] = &lockedWriter{w: &bytes.Buffer{}}
		go func() {
			_, err := r.eng.Push(ctx, engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: "img", Source: nil, Output: outs[i]})
			errs <- err
		}()
	}
	// Two builds (the default limit) hold the gate; the third waits for a slot.
	has := func(s string) int {
		n := 0
		for _, o := range outs {
			o.mu.Lock()
			if bytes.Contains(o.w.Bytes(), []byte(s)) {
				n++
			}
			o.mu.Unlock()
		}
		return n
	}
	waitUntil(t, func() bool { return has("building img") == 2 && has("Waiting for a build slot") == 1 })
	r.builder.Gate <- struct{}{}
	r.builder.Gate <- struct{}{}
	r.builder.Gate <- struct{}{}
	for range 3 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 3, has("Released v1"))
}
