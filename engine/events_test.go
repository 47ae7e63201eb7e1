package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func (r *rig) eventKinds(app string) []string {
	evs, err := r.eng.Events(context.Background(), app, 0, 100)
	require.NoError(r.t, err)
	var kinds []string
	for i := len(evs) - 1; i >= 0; i-- {
		kinds = append(kinds, evs[i].Kind)
	}
	return kinds
}

func TestDeploysAreRecordedAsEventsWithTheirOutput(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	_, _, err := r.push("shop", "broken")
	require.Error(t, err)
	_, err = r.eng.SetConfig(ctx, engine.ConfigChange{App: "shop", Set: map[string]string{"A": "1"}, Author: "bob"})
	require.NoError(t, err)
	_, err = r.eng.Rollback(ctx, engine.RollbackRequest{App: "shop", Author: "bob"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		engine.EventDeployStarted, engine.EventDeploySucceeded,
		engine.EventDeployStarted, engine.EventDeployFailed,
		engine.EventDeployStarted, engine.EventConfigChanged,
		engine.EventDeployStarted, engine.EventRollback,
	}, r.eventKinds("shop"))

	out, err := r.eng.ReleaseOutput(ctx, "shop", 1)
	require.NoError(t, err)
	assert.Contains(t, out, "building img1")
	assert.Contains(t, out, "Released v1")
	out, err = r.eng.ReleaseOutput(ctx, "shop", 2)
	require.NoError(t, err)
	assert.Contains(t, out, "building broken", "a failed release keeps its output too")
}

func TestCrashesAreEventsButOurOwnStopsAreNot(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	old := r.rt.Running("shop")[0]
	r.mustPush("shop", "img2") // stops old on purpose
	require.NoError(t, r.eng.Start(ctx))
	t.Cleanup(func() { r.eng.Close() })

	r.rt.Emit(engine.RuntimeEvent{Action: engine.EventDie, Container: *old, Time: time.Now()})
	cur := r.rt.Running("shop")[0]
	for range 3 {
		r.rt.Emit(engine.RuntimeEvent{Action: engine.EventDie, Container: *cur, ExitCode: 2, Time: time.Now()})
		r.rt.Emit(engine.RuntimeEvent{Action: engine.EventStart, Container: *cur, Time: time.Now()})
	}
	r.rt.Emit(engine.RuntimeEvent{Action: engine.EventOOM, Container: *cur, Time: time.Now()})
	waitUntil(t, func() bool {
		kinds := r.eventKinds("shop")
		return len(kinds) > 0 && kinds[len(kinds)-1] == engine.EventOutOfMemory
	})
	kinds := r.eventKinds("shop")
	assert.Equal(t, 3, count(kinds, engine.EventCrashed), "the old container's stop is not a crash")
	assert.Equal(t, 3, count(kinds, engine.EventRestarted))
	assert.Equal(t, 1, count(kinds, engine.EventCrashLooping))
	evs, _ := r.eng.Events(ctx, "shop", 0, 100)
	for _, ev := range evs {
		if ev.Kind == engine.EventCrashed {
			assert.Equal(t, "web.1 of v2 exited with code 2", ev.Message)
		}
	}
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
