package engine_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// listCountingRuntime counts the listings of one app's containers that run
// at once; each takes a millisecond, as a Docker call does at least.
type listCountingRuntime struct {
	*enginetest.Runtime
	calls, inFlight, peak atomic.Int32
}

func (r *listCountingRuntime) Containers(ctx context.Context, app string) ([]*engine.Container, error) {
	if app != "" {
		r.calls.Add(1)
		n := r.inFlight.Add(1)
		defer r.inFlight.Add(-1)
		for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
		}
		time.Sleep(time.Millisecond)
	}
	return r.Runtime.Containers(ctx, app)
}

// The periodic sync goes through the apps one after another: starting a
// sync per app at once made every SyncEvery a burst of as many Docker
// listings and database connections as there are apps.
func TestPeriodicSyncIsNotABurstOfOneSyncPerApp(t *testing.T) {
	r := newRig(t)
	const apps = 30
	for i := range apps {
		r.mustPush(fmt.Sprintf("app%02d", i), "img1")
	}
	rt := &listCountingRuntime{Runtime: r.rt}
	eng := engine.New(engine.Config{
		Store: r.db, Runtime: rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		SyncEvery: 20 * time.Millisecond,
	})
	require.NoError(t, eng.Start(context.Background()))
	t.Cleanup(func() { eng.Close() })
	waitUntil(t, func() bool { return rt.calls.Load() >= 3*apps })
	assert.LessOrEqual(t, rt.peak.Load(), int32(1), "one app is synced at a time")
}
