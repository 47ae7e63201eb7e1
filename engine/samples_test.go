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

// statsRuntime is a fake runtime whose Stats takes delay, or, for the
// container IDs in hang, until its ctx ends. It counts the reads in flight
// at once.
type statsRuntime struct {
	*enginetest.Runtime
	delay          time.Duration
	hang           map[string]bool
	inFlight, peak atomic.Int32
}

func (r *statsRuntime) FollowLogs(ctx context.Context, _ string, _ time.Time, _ func(engine.LogLine)) error {
	<-ctx.Done()
	return nil
}

func (r *statsRuntime) Stats(ctx context.Context, id string) (engine.ContainerStats, error) {
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
	}
	wait := time.After(r.delay)
	if r.hang[id] {
		wait = nil
	}
	select {
	case <-wait:
		return engine.ContainerStats{Time: time.Now(), MemoryBytes: 1 << 20}, nil
	case <-ctx.Done():
		return engine.ContainerStats{}, ctx.Err()
	}
}

// startApps starts n apps of one web container each on rt and returns
// their container IDs.
func startApps(t *testing.T, rt *enginetest.Runtime, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		c, err := rt.Start(context.Background(), engine.ContainerSpec{
			App: fmt.Sprintf("app%03d", i), Release: 1, Process: "web", Replica: 1, Image: "img"})
		require.NoError(t, err)
		ids[i] = c.ID
	}
	return ids
}

func TestSampleContainersReadsTwoHundredAtOnce(t *testing.T) {
	rt := &statsRuntime{Runtime: enginetest.NewRuntime(), delay: 20 * time.Millisecond}
	startApps(t, rt.Runtime, 200)
	eng := engine.New(engine.Config{Runtime: rt, Domain: "example.test"})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	got, err := eng.SampleContainers(ctx)
	require.NoError(t, err)
	assert.Len(t, got, 200, "every container is in the sample")
	// One after another the 200 reads take 4 s; bounded-concurrent, 0.5 s.
	assert.Less(t, time.Since(began), 2*time.Second, "the reads run side by side")
	assert.LessOrEqual(t, rt.peak.Load(), int32(8), "no more than sampleWorkers reads at once")
	apps := map[string]bool{}
	for _, s := range got {
		apps[s.App] = true
		assert.Equal(t, "web.1", s.Process)
	}
	assert.Len(t, apps, 200, "each app once")
}

func TestSampleContainersASlowContainerDoesNotLoseTheOthers(t *testing.T) {
	rt := &statsRuntime{Runtime: enginetest.NewRuntime(), delay: time.Millisecond}
	ids := startApps(t, rt.Runtime, 50)
	rt.hang = map[string]bool{ids[3]: true, ids[40]: true}
	eng := engine.New(engine.Config{Runtime: rt, Domain: "example.test"})

	got, err := eng.SampleContainers(context.Background())
	require.NoError(t, err)
	assert.Len(t, got, 48, "only the two containers that do not answer are left out")
	for _, s := range got {
		assert.NotContains(t, []string{"app003", "app040"}, s.App)
	}
}

func TestSampleContainersKeepsWhatItReadWhenTimeRunsOut(t *testing.T) {
	rt := &statsRuntime{Runtime: enginetest.NewRuntime(), delay: 50 * time.Millisecond}
	startApps(t, rt.Runtime, 100)
	eng := engine.New(engine.Config{Runtime: rt, Domain: "example.test"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, err := eng.SampleContainers(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// 8 at a time, 50 ms each: about 48 in 300 ms.
	assert.GreaterOrEqual(t, len(got), 10, "the containers read before the deadline are kept")
	assert.Less(t, len(got), 100)
}
