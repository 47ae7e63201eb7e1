package docker

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCPUPercent(t *testing.T) {
	cpu := func(total, system uint64, online uint32, percpu int) container.CPUStats {
		return container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: total, PercpuUsage: make([]uint64, percpu)},
			SystemUsage: system, OnlineCPUs: online}
	}
	tests := []struct {
		name      string
		cur, prev container.CPUStats
		want      float64
	}{
		{"one of two CPUs busy", cpu(1500, 2000, 2, 0), cpu(1000, 1000, 2, 0), 100},
		{"both busy", cpu(2000, 2000, 2, 0), cpu(1000, 1000, 2, 0), 200},
		{"quarter of one CPU", cpu(1250, 3000, 4, 0), cpu(1000, 1000, 4, 0), 50},
		{"idle", cpu(1000, 2000, 2, 0), cpu(1000, 1000, 2, 0), 0},
		{"no system time passed", cpu(1500, 1000, 2, 0), cpu(1000, 1000, 2, 0), 0},
		{"counter went back (restart)", cpu(10, 2000, 2, 0), cpu(1000, 1000, 2, 0), 0},
		{"online CPUs from per-CPU usage", cpu(1500, 2000, 0, 2), cpu(1000, 1000, 0, 2), 100},
		{"no previous reading", cpu(1500, 2000, 2, 0), container.CPUStats{}, 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.InDelta(t, tt.want, cpuPercent(tt.cur, tt.prev), 1e-9) })
	}
}

func TestMemoryUsed(t *testing.T) {
	tests := []struct {
		name string
		in   container.MemoryStats
		want uint64
	}{
		{"cgroup v1", container.MemoryStats{Usage: 1000, Stats: map[string]uint64{"total_inactive_file": 300, "inactive_file": 100}}, 700},
		{"cgroup v2", container.MemoryStats{Usage: 1000, Stats: map[string]uint64{"inactive_file": 300}}, 700},
		{"no stats", container.MemoryStats{Usage: 1000}, 1000},
		{"inactive above usage ignored", container.MemoryStats{Usage: 100, Stats: map[string]uint64{"total_inactive_file": 300}}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, memoryUsed(tt.in)) })
	}
}

func TestStats(t *testing.T) {
	r := newTestRuntime(t)
	ctx := testCtx(t)
	busy := startPlain(ctx, t, r, logSpec("stats", "-burn"), containerLabels(r.instance, logSpec("stats")))
	idle := startPlain(ctx, t, r, logSpec("stats"), containerLabels(r.instance, logSpec("stats")))
	for _, id := range []string{busy, idle} { // both have started their server
		log := &lineLog{}
		fctx, cancel := context.WithCancel(ctx)
		done := follow(fctx, r, id, time.Time{}, log)
		require.Eventually(t, func() bool { return log.has("listening on :8080") }, 30*time.Second, 10*time.Millisecond)
		cancel()
		<-done
	}

	// How much CPU the spinning goroutine gets depends on the machine's
	// load: the test checks that it shows, and shows more than an idle
	// container's, not how much.
	var busyCPU float64
	t.Run("busy", func(t *testing.T) {
		s, err := r.Stats(ctx, busy)
		require.NoError(t, err)
		t.Logf("busy: %.1f%% CPU, %d bytes of %d", s.CPUPercent, s.MemoryBytes, s.MemoryLimit)
		busyCPU = s.CPUPercent
		assert.Positive(t, s.CPUPercent, "one goroutine spins (100 = one CPU)")
		assert.LessOrEqual(t, s.CPUPercent, float64(runtime.NumCPU())*100+1, "at most every CPU")
		assert.Greater(t, s.MemoryBytes, uint64(0))
		assert.Greater(t, s.MemoryLimit, s.MemoryBytes)
		assert.WithinDuration(t, time.Now(), s.Time, 5*time.Second)
		require.NoError(t, r.Stop(ctx, busy, 0)) // free the CPU
	})
	t.Run("idle", func(t *testing.T) {
		s, err := r.Stats(ctx, idle)
		require.NoError(t, err)
		t.Logf("idle: %.2f%% CPU, %d bytes", s.CPUPercent, s.MemoryBytes)
		assert.Less(t, s.CPUPercent, busyCPU, "an idle container uses less than a spinning one")
		assert.Greater(t, s.MemoryBytes, uint64(0))
	})
	t.Run("a container read before costs one reading", func(t *testing.T) {
		before := r.statsReads.Load()
		s, err := r.Stats(ctx, idle)
		require.NoError(t, err)
		assert.Equal(t, uint64(1), r.statsReads.Load()-before, "CPU is measured against the last reading, with no second one")
		assert.Greater(t, s.MemoryBytes, uint64(0))
		assert.GreaterOrEqual(t, s.CPUPercent, 0.0)
	})
	t.Run("exited is a zero sample", func(t *testing.T) {
		id := startPlain(ctx, t, r, logSpec("stats", "-exit", "0"), containerLabels(r.instance, logSpec("stats")))
		require.NoError(t, waitFollow(t, follow(ctx, r, id, time.Time{}, &lineLog{})), "wait for the exit")
		s, err := r.Stats(ctx, id)
		require.NoError(t, err)
		assert.Zero(t, s.CPUPercent)
		assert.Zero(t, s.MemoryBytes)
		assert.WithinDuration(t, time.Now(), s.Time, 5*time.Second)
	})
	t.Run("missing or another instance's container is ENOTFOUND", func(t *testing.T) {
		theirs := newTestRuntime(t)
		other := startPlain(ctx, t, theirs, logSpec("stats", "-exit", "0"), containerLabels(theirs.instance, logSpec("stats")))
		for _, id := range []string{"qs-no-such-container", other} {
			_, err := r.Stats(ctx, id)
			assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "%s: %v", id, err)
		}
	})
	t.Run("ctx ending stops it", func(t *testing.T) {
		// A container never read before needs two readings statsInterval apart.
		fresh := startPlain(ctx, t, r, logSpec("stats"), containerLabels(r.instance, logSpec("stats")))
		cctx, cancel := context.WithTimeout(ctx, statsInterval/5)
		defer cancel()
		_, err := r.Stats(cctx, fresh)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestCPUMemo(t *testing.T) {
	cpu := func(total, system uint64) container.CPUStats {
		return container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: total}, SystemUsage: system, OnlineCPUs: 1}
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var m cpuMemo
	_, ok := m.swap("a", cpu(100, 1000), t0)
	assert.False(t, ok, "the first reading has nothing to compare with")
	prev, ok := m.swap("a", cpu(150, 2000), t0.Add(10*time.Second))
	require.True(t, ok, "the second reading compares with the first")
	assert.Equal(t, cpu(100, 1000), prev)
	assert.InDelta(t, 5.0, cpuPercent(cpu(150, 2000), prev), 1e-9)

	_, ok = m.swap("b", cpu(1, 10), t0.Add(10*time.Second))
	assert.False(t, ok, "readings are per container")
	_, ok = m.swap("a", cpu(200, 1500), t0.Add(20*time.Second))
	assert.False(t, ok, "a system counter that went back is not compared with")
	_, ok = m.swap("a", cpu(300, 9000), t0.Add(20*time.Second+cpuMemoTTL))
	assert.False(t, ok, "a reading older than the TTL is not compared with")

	m.swap("c", cpu(1, 10), t0.Add(30*time.Second+2*cpuMemoTTL))
	assert.Len(t, m.last, 1, "readings of containers not sampled lately are forgotten")
	assert.Contains(t, m.last, "c")
}
