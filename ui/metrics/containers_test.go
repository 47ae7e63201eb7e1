package metrics

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestContainerUseIsTheLastSampleOfOneApp(t *testing.T) {
	m := New(Config{})
	assert.Empty(t, m.ContainerUse("web"), "nothing before the first sample")
	s := &fakeSampler{samples: []engine.ContainerSample{
		container("web", "web.1", 1, 50, 1<<20, 0),
		container("web", "web.1", 2, 10, 2<<20, 0), // its replacement, during a deploy
		container("web", "worker.1", 2, 5, 3<<20, 1),
		container("blog", "web.1", 1, 70, 4<<20, 0),
	}}
	m.sample(t.Context(), s)
	use := m.ContainerUse("web")
	require.Len(t, use, 2)
	assert.Equal(t, uint64(3<<20), use["web.1"].MemoryBytes, "old and new web.1 add up")
	assert.InDelta(t, 60, use["web.1"].CPUPercent, 1e-9)
	assert.Equal(t, uint64(3<<20), use["worker.1"].MemoryBytes)

	s.set(nil, errors.New("docker is down"))
	m.sample(t.Context(), s)
	assert.Empty(t, m.ContainerUse("web"), "no stale figures after a failed sample")
}

// A sample that ran out of time keeps the containers it read: with
// hundreds of containers, throwing the whole sample away left no figures
// at all.
func TestAPartialSampleKeepsTheContainersItRead(t *testing.T) {
	m := New(Config{})
	s := &fakeSampler{
		samples: []engine.ContainerSample{container("web", "web.1", 1, 50, 1<<20, 0)},
		err:     context.DeadlineExceeded,
	}
	m.sample(t.Context(), s)
	assert.Equal(t, uint64(1<<20), m.ContainerUse("web")["web.1"].MemoryBytes)
	assert.Empty(t, m.ContainerUse("blog"), "the containers not read show no figures")
}
