package password

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFloodStaysUnderTheMemoryCeiling runs many hashes and checks at once:
// the memory reserved for argon2id never passes MaxMemoryKiB, and runs do
// overlap up to it.
func TestFloodStaysUnderTheMemoryCeiling(t *testing.T) {
	h, err := Hash("correct horse")
	require.NoError(t, err)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				_, err := Hash("flood")
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, Check(h, "wrong"), ErrMismatch)
		})
	}
	wg.Wait()
	inUse, peak := runs.stats()
	assert.Zero(t, inUse, "every reservation was given back")
	assert.LessOrEqual(t, peak, int64(MaxMemoryKiB), "never past the ceiling")
	assert.Greater(t, peak, int64(memoryKiB), "runs overlapped")
	t.Logf("peak %d KiB of %d (%d runs at once)", peak, MaxMemoryKiB, peak/memoryKiB)
}

func TestWaitForMemoryEndsWithTheContext(t *testing.T) {
	h, err := Hash("correct horse")
	require.NoError(t, err)
	require.NoError(t, runs.acquire(context.Background(), MaxMemoryKiB)) // all of it
	released := false
	release := func() {
		if !released {
			runs.release(MaxMemoryKiB)
			released = true
		}
	}
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// DeadlineExceeded: it gave up at ctx's deadline (the memory is never
	// freed while it waits, so one that ignored ctx would not return).
	err = CheckContext(ctx, h, "correct horse")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrMismatch)
	_, err = HashContext(ctx, "x")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	done := make(chan error, 1)
	go func() { done <- Check(h, "correct horse") }()
	select {
	case <-done:
		t.Fatal("Check ran past the ceiling")
	case <-time.After(50 * time.Millisecond):
	}
	release()
	require.NoError(t, <-done, "it runs once memory is free")
}

func TestLimiterIsFairAndForgetsAbandonedWaiters(t *testing.T) {
	l := newLimiter(3)
	ctx := context.Background()
	require.NoError(t, l.acquire(ctx, 2))
	big := make(chan error, 1)
	go func() { big <- l.acquire(ctx, 3) }()
	require.Eventually(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.waiters) == 1 }, time.Second, time.Millisecond)

	// A small request behind a waiting big one waits its turn.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.acquire(short, 1), context.DeadlineExceeded)

	l.release(2)
	require.NoError(t, <-big)
	inUse, peak := l.stats()
	assert.Equal(t, int64(3), inUse)
	assert.Equal(t, int64(3), peak)
	l.release(3)
	require.NoError(t, l.acquire(ctx, 3), "an abandoned waiter holds nothing")
}

func TestHashesAboveTheCeilingAreRefused(t *testing.T) {
	h := "$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5"
	err := Check(h, "x")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrMismatch)
}
