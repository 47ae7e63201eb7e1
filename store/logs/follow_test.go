package logs

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestFollow(t *testing.T) {
	t.Run("lines arrive in order with their fields", func(t *testing.T) {
		s := openStore(t, t.TempDir(), Options{FollowerBuffer: 10000})
		appendN(s, "shop", 1, 5) // before: not delivered
		ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
		require.NoError(t, err)
		appendN(s, "shop", 6, 3000)
		got := receive(t, ch, 3000)
		for i, d := range got {
			require.Zero(t, d.Missed)
			require.Equal(t, uint64(i+6), d.Line.Seq)
			require.Equal(t, fmt.Sprintf("line %d", i+6), d.Line.Text)
		}
		assert.Equal(t, "shop", got[0].Line.App)
		assert.Equal(t, 3, got[0].Line.Release)
		assert.False(t, got[0].Line.Time.IsZero())
	})
	t.Run("process and since filters", func(t *testing.T) {
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		s := openStore(t, t.TempDir(), Options{Now: func() time.Time { return now }})
		ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop", Process: "worker", Since: now})
		require.NoError(t, err)
		s.Append(
			engine.LogLine{App: "shop", Process: "web", Time: now, Text: "web"},
			engine.LogLine{App: "shop", Process: "worker", Time: now.Add(-time.Hour), Text: "old worker"},
			engine.LogLine{App: "blog", Process: "worker", Time: now, Text: "other app"},
			engine.LogLine{App: "shop", Process: "worker", Time: now, Text: "worker"},
		)
		got := receive(t, ch, 1)
		assert.Equal(t, "worker", got[0].Line.Text)
		assert.Equal(t, uint64(3), got[0].Line.Seq)
	})
	t.Run("FollowAfter replays and counts what it cannot", func(t *testing.T) {
		s := openStore(t, t.TempDir(), Options{FollowerBuffer: 10})
		appendN(s, "shop", 1, 30)
		ch, err := s.FollowAfter(t.Context(), engine.LogQuery{App: "shop"}, 5)
		require.NoError(t, err)
		got := receive(t, ch, 10)
		assert.Equal(t, 15, got[0].Missed, "lines 6 to 20 are gone from memory")
		assert.Equal(t, uint64(21), got[0].Line.Seq)
		assert.Equal(t, uint64(30), got[9].Line.Seq)
		s.Append(mkLine("shop", "live"))
		assert.Equal(t, "live", receive(t, ch, 1)[0].Line.Text)

		ch2, err := s.FollowAfter(t.Context(), engine.LogQuery{App: "shop"}, 1000)
		require.NoError(t, err)
		s.Append(mkLine("shop", "next"))
		got = receive(t, ch2, 1)
		assert.Equal(t, "next", got[0].Line.Text, "an after beyond the end follows from now")
		assert.Zero(t, got[0].Missed)
	})
}

// collectUntil reads deliveries until it has seen the line numbered last.
func collectUntil(t *testing.T, ch <-chan engine.LogDelivery, last uint64) []engine.LogDelivery {
	t.Helper()
	var out []engine.LogDelivery
	timeout := time.After(20 * time.Second)
	for {
		select {
		case d, ok := <-ch:
			require.True(t, ok, "channel closed early")
			out = append(out, d)
			if d.Line.Seq == last {
				return out
			}
		case <-timeout:
			t.Fatalf("line %d not delivered; got %d deliveries", last, len(out))
		}
	}
}

func TestHistoryThenFollowHasNoGap(t *testing.T) {
	const total = 20000
	for _, mode := range []string{"QueryFollow", "Query then FollowAfter"} {
		t.Run(mode, func(t *testing.T) {
			s := openStore(t, t.TempDir(), Options{FollowerBuffer: 1 << 16, SegmentBytes: MinSegmentBytes, WriteQueue: 1 << 20, WriteQueueBytes: 1 << 30})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 1; i <= total; i++ {
					s.Append(mkLine("shop", fmt.Sprint(i)))
					if i%64 == 0 {
						runtime.Gosched()
					}
				}
			}()
			waitFor(t, "some history", func() bool { return s.Stats().Appended > total/4 })
			q := engine.LogQuery{App: "shop"}
			var history []engine.LogLine
			var ch <-chan engine.LogDelivery
			var err error
			if mode == "QueryFollow" {
				history, ch, err = s.QueryFollow(t.Context(), q)
			} else {
				history, err = s.Query(t.Context(), q)
				require.NoError(t, err)
				after := uint64(0)
				if len(history) > 0 {
					after = history[len(history)-1].Seq
				}
				ch, err = s.FollowAfter(t.Context(), q, after)
			}
			require.NoError(t, err)
			require.NotEmpty(t, history)
			live := collectUntil(t, ch, total)
			<-done

			all := seqs(history)
			for _, d := range live {
				require.Zero(t, d.Missed)
				all = append(all, d.Line.Seq)
			}
			require.Len(t, all, total, "no gap and no duplicate")
			for i, seq := range all {
				require.Equal(t, uint64(i+1), seq)
			}
		})
	}
}

func TestSlowFollower(t *testing.T) {
	const buffer, chunks, chunk = 64, 100, 50
	s := openStore(t, t.TempDir(), Options{FollowerBuffer: buffer})
	stuck, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)
	fast, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)
	var fastGot []engine.LogDelivery
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for d := range fast {
			fastGot = append(fastGot, d)
			if n.Add(1) == chunks*chunk {
				return
			}
		}
	})
	for c := range chunks {
		appendN(s, "shop", c*chunk+1, chunk)
		waitFor(t, "the fast follower", func() bool { return n.Load() == int64((c+1)*chunk) })
	}
	wg.Wait()
	for i, d := range fastGot {
		require.Zero(t, d.Missed, "the fast follower is not affected")
		require.Equal(t, uint64(i+1), d.Line.Seq)
	}

	got := collectUntil(t, stuck, chunks*chunk)
	missed, prev := 0, uint64(0)
	for _, d := range got {
		missed += d.Missed
		require.Greater(t, d.Line.Seq, prev)
		prev = d.Line.Seq
	}
	assert.Positive(t, missed)
	assert.Equal(t, chunks*chunk, missed+len(got), "every line is either delivered or counted as missed")
	assert.LessOrEqual(t, len(got), buffer+2*deliveryBatch, "the follower skipped ahead")
	assert.Equal(t, uint64(missed), s.Stats().Missed)

	t.Run("missed lines are counted per process", func(t *testing.T) {
		worker, err := s.Follow(t.Context(), engine.LogQuery{App: "shop", Process: "worker"})
		require.NoError(t, err)
		workers := 0
		for i := range 10000 {
			l := mkLine("shop", fmt.Sprint(i))
			if i%3 == 0 {
				l.Process = "worker"
				workers++
			}
			s.Append(l)
		}
		s.Append(engine.LogLine{App: "shop", Process: "worker", Text: "last"})
		got, missed := 0, 0
		for d := range worker {
			got++
			missed += d.Missed
			require.Equal(t, "worker", d.Line.Process)
			if d.Line.Text == "last" {
				break
			}
		}
		assert.Positive(t, missed)
		assert.Equal(t, workers+1, got+missed)
	})
}

func TestAppendNeverBlocks(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	stuck, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"}) // not read until the end
	require.NoError(t, err)
	// A follower that blocked Append would hang it for good: the deadline
	// only turns that hang into a failure (speed is BenchmarkAppend's).
	appended := make(chan struct{})
	go func() { defer close(appended); appendN(s, "shop", 1, 100_000) }()
	select {
	case <-appended:
	case <-time.After(time.Minute):
		t.Fatal("Append blocked on a follower that does not read")
	}
	assert.Equal(t, uint64(100_000), s.Stats().Appended)
	missed := 0
	for _, d := range collectUntil(t, stuck, 100_000) {
		missed += d.Missed
	}
	assert.Greater(t, missed, 90_000, "the stuck follower skipped ahead")
}

func TestFollowerDisconnect(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	appendN(s, "shop", 1, 10) // the app exists before we count goroutines
	flush(t, s)
	base := runtime.NumGoroutine()
	var cancels []context.CancelFunc
	var chans []<-chan engine.LogDelivery
	for range 20 {
		ctx, cancel := context.WithCancel(t.Context())
		ch, err := s.Follow(ctx, engine.LogQuery{App: "shop"})
		require.NoError(t, err)
		cancels, chans = append(cancels, cancel), append(chans, ch)
	}
	appendN(s, "shop", 11, 5000) // some mid-stream, unread
	require.Equal(t, 20, s.Stats().Followers)
	for i, cancel := range cancels {
		cancel()
		waitClosed(t, chans[i])
	}
	waitFor(t, "followers to detach", func() bool { return s.Stats().Followers == 0 })
	waitFor(t, "pumps to exit", func() bool { return runtime.NumGoroutine() <= base })
	appendN(s, "shop", 5011, 10) // the store still works
	assert.Equal(t, uint64(5020), s.Stats().Apps["shop"].LastSeq)
}

func TestFollowEndsWithTheStore(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	ch, err := s.Follow(context.Background(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	waitClosed(t, ch)
}

func TestFollowersMemoryBounded(t *testing.T) {
	const followers, lines = 100, 20000
	s := openStore(t, t.TempDir(), Options{FollowerBuffer: 1024})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var chans []<-chan engine.LogDelivery
	for range followers {
		ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"}) // never read until the end
		require.NoError(t, err)
		chans = append(chans, ch)
	}
	pad := strings.Repeat("m", 1000)
	for i := range lines {
		s.Append(mkLine("shop", fmt.Sprintf("%d %s", i, pad)))
	}
	flush(t, s)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew by %d KiB with %d followers of %d lines of 1 KB", grew>>10, followers, lines)
	// Unbounded, the followers would hold 100 x 20000 lines (2 GB of text
	// or 224 MB of headers); bounded, they share the app's 1024 recent lines
	// and hold at most 128 deliveries each.
	assert.Less(t, grew, int64(40<<20))
	got := collectUntil(t, chans[0], lines)
	missed := 0
	for _, d := range got {
		missed += d.Missed
	}
	assert.Equal(t, lines, missed+len(got))
	assert.LessOrEqual(t, len(got), 1024+2*deliveryBatch)
}

func TestDiskQueueOverflow(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{WriteQueue: 100, FollowerBuffer: 20000})
	ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)
	batch := make([]engine.LogLine, 10000)
	for i := range batch {
		batch[i] = mkLine("shop", fmt.Sprint(i+1))
	}
	s.Append(batch...) // one call: the writer cannot drain the queue meanwhile
	flush(t, s)
	st := s.Stats()
	assert.Equal(t, uint64(10000), st.Appended)
	assert.Equal(t, uint64(100), st.Written)
	assert.Equal(t, uint64(9900), st.Dropped)
	assert.Equal(t, st.Dropped, st.Apps["shop"].Dropped)
	assert.Zero(t, st.Queued)
	assert.Equal(t, []uint64{99, 100}, seqs(query(t, s, engine.LogQuery{App: "shop", Tail: 2})), "the disk has what fit in the queue")
	got := receive(t, ch, 10000)
	assert.Equal(t, uint64(10000), got[9999].Line.Seq, "followers still get every line")
}
