package metrics

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	m := New(Config{Dir: dir})
	m.every, m.saveEvery = 20*time.Millisecond, 50*time.Millisecond
	s := &fakeSampler{samples: []engine.ContainerSample{container("web", "web.1", 1, 50, 1<<20, 0)}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx, s)
	}()

	eventually(t, 5*time.Second, "history points", func() bool { return len(m.AppSeries("web", time.Hour)) >= 2 })
	assert.InDelta(t, 50, m.AppSeries("web", time.Hour)[0].CPUPercent, 1e-6)
	eventually(t, 5*time.Second, "the history saved", func() bool {
		_, err := os.Stat(filepath.Join(dir, HistoryFile))
		return err == nil
	})
	assert.GreaterOrEqual(t, s.callCount(), 2)

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		require.FailNow(t, "Run did not stop when its context ended")
	}
	require.NoError(t, m.Close())
	assert.NotEmpty(t, New(Config{Dir: dir}).AppSeries("web", time.Hour))
}

func TestRunWithoutSampler(t *testing.T) {
	m := New(Config{})
	m.every = 10 * time.Millisecond
	m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx, nil)
	}()
	eventually(t, 5*time.Second, "a history point", func() bool { return len(m.AppSeries("web", time.Hour)) > 0 })
	cancel()
	<-done
}

func TestFailingSampler(t *testing.T) {
	rec := &recordingHandler{}
	m := New(Config{Logger: slog.New(rec)})
	s := &fakeSampler{samples: []engine.ContainerSample{container("web", "web.1", 1, 50, 1<<20, 0)}}
	m.sample(t.Context(), s)
	require.NotNil(t, find(scrape(t, m), "quayside_container_memory_bytes", map[string]string{"app": "web", "process": "web.1"}))

	s.set(nil, errors.New("docker is down"))
	m.sample(t.Context(), s)
	m.sample(t.Context(), s)
	assert.NotContains(t, scrape(t, m), "quayside_container_memory_bytes", "no stale figures")
	assert.Empty(t, m.samples.byApp())

	s.set([]engine.ContainerSample{container("web", "web.1", 1, 50, 1<<20, 0)}, nil)
	m.sample(t.Context(), s)
	assert.Equal(t, []string{
		"sample containers: container figures are missing until it works again",
		"sample containers works again",
	}, rec.messages(), "a failure is logged once, not every 10 seconds")
}

func TestMergeSamples(t *testing.T) {
	got := merge([]engine.ContainerSample{
		container("web", "web.1", 3, 20, 100, 5), // the old release, still draining
		container("web", "web.1", 4, 30, 200, 1),
		container("web", "web.2", 4, 10, 50, 0),
		container("api", "web.1", 2, 5, 10, 2),
	})
	assert.Equal(t, []engine.ContainerSample{
		container("web", "web.1", 4, 50, 300, 1),
		container("web", "web.2", 4, 10, 50, 0),
		container("api", "web.1", 2, 5, 10, 2),
	}, got)
	assert.Empty(t, merge(nil))
}

func TestDuplicateContainersScrapeCleanly(t *testing.T) {
	m := New(Config{})
	m.sample(t.Context(), &fakeSampler{samples: []engine.ContainerSample{
		container("web", "web.1", 3, 20, 100, 5), container("web", "web.1", 4, 30, 200, 1),
	}})
	_, err := m.reg.Gather() // fails on a duplicate series
	require.NoError(t, err)
	mfs := scrape(t, m)
	assert.Equal(t, 0.5, value(t, mfs, "quayside_container_cpu_usage_ratio", map[string]string{"app": "web", "process": "web.1"}))
}
