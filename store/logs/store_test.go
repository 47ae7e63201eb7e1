package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	at := time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.FixedZone("CEST", 2*3600))
	in := []engine.LogLine{
		{App: "shop", Time: at, Process: "web", Replica: 2, Release: 7, Stream: engine.StreamStdout, Text: "GET / 200"},
		{App: "shop", Time: at.Add(time.Nanosecond), Process: "worker", Replica: 1, Release: 7, Stream: engine.StreamStderr, Text: "boom: ünïcode ✓"},
		{App: "shop", Time: at.Add(time.Second), Process: "platform", Release: 8, Stream: engine.StreamPlatform, Text: ""},
	}
	s.Append(in...)
	want := make([]engine.LogLine, len(in))
	for i, l := range in {
		l.Seq, l.Time = uint64(i+1), l.Time.UTC()
		want[i] = l
	}
	q := engine.LogQuery{App: "shop"}

	t.Run("before the disk", func(t *testing.T) {
		assert.Equal(t, want, query(t, s, q))
	})
	t.Run("from disk", func(t *testing.T) {
		flush(t, s)
		assert.Equal(t, want, query(t, s, q))
		assert.Equal(t, uint64(3), s.Stats().Apps["shop"].Written)
	})
	t.Run("after reopening", func(t *testing.T) {
		require.NoError(t, s.Close())
		s2 := openStore(t, dir, Options{})
		assert.Equal(t, want, query(t, s2, q))
	})
}

func TestRestartKeepsHistoryAndSeq(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{SegmentBytes: MinSegmentBytes, MaxBytesPerApp: 1 << 20})
	appendN(s, "shop", 1, 5000) // several segments
	appendN(s, "blog", 1, 5)
	require.NoError(t, s.Close())
	require.Greater(t, len(segFiles(t, dir, "shop")), 2)

	s = openStore(t, dir, Options{SegmentBytes: MinSegmentBytes, MaxBytesPerApp: 1 << 20})
	appendN(s, "shop", 5001, 10)
	lines := query(t, s, engine.LogQuery{App: "shop"})
	require.Len(t, lines, 5010)
	for i, l := range lines {
		require.Equal(t, uint64(i+1), l.Seq)
	}
	assert.Equal(t, "line 5010", lines[5009].Text)
	blog := query(t, s, engine.LogQuery{App: "blog"})
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, seqs(blog))

	t.Run("recent lines replay after a restart", func(t *testing.T) {
		ch, err := s.FollowAfter(t.Context(), engine.LogQuery{App: "blog"}, 3)
		require.NoError(t, err)
		got := receive(t, ch, 2)
		assert.Equal(t, "line 4", got[0].Line.Text)
		assert.Equal(t, "line 5", got[1].Line.Text)
		assert.Zero(t, got[0].Missed)
	})
}

func TestCrashRecovery(t *testing.T) {
	t.Run("torn final record is cut and seq continues", func(t *testing.T) {
		dir := t.TempDir()
		s := openStore(t, dir, Options{})
		appendN(s, "shop", 1, 100)
		require.NoError(t, s.Close())
		files := segFiles(t, dir, "shop")
		last := files[len(files)-1]
		info, err := os.Stat(last)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(last, info.Size()-3)) // mid-record

		s = openStore(t, dir, Options{})
		lines := query(t, s, engine.LogQuery{App: "shop"})
		require.Len(t, lines, 99)
		assert.Equal(t, "line 99", lines[98].Text)
		s.Append(mkLine("shop", "after the crash"))
		flush(t, s)
		lines = query(t, s, engine.LogQuery{App: "shop", Tail: 2})
		assert.Equal(t, []string{"line 99", "after the crash"}, texts(lines))
		assert.Equal(t, []uint64{99, 100}, seqs(lines))
		require.NoError(t, s.Close())

		s = openStore(t, dir, Options{})
		assert.Len(t, query(t, s, engine.LogQuery{App: "shop"}), 100, "nothing after the cut was spoiled")
	})

	t.Run("garbage after the last record is cut", func(t *testing.T) {
		dir := t.TempDir()
		s := openStore(t, dir, Options{})
		appendN(s, "shop", 1, 10)
		require.NoError(t, s.Close())
		files := segFiles(t, dir, "shop")
		f, err := os.OpenFile(files[len(files)-1], os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.Write([]byte{0x20, 0, 0, 0, 1, 2, 3, 4, 'x', 'y'}) // a header promising 32 bytes
		require.NoError(t, err)
		require.NoError(t, f.Close())

		s = openStore(t, dir, Options{})
		appendN(s, "shop", 11, 1)
		flush(t, s)
		lines := query(t, s, engine.LogQuery{App: "shop"})
		require.Len(t, lines, 11)
		assert.Equal(t, "line 11", lines[10].Text)
		assert.Equal(t, uint64(11), lines[10].Seq)
	})

	t.Run("a damaged record in a sealed segment spoils nothing later", func(t *testing.T) {
		dir := t.TempDir()
		opts := Options{SegmentBytes: MinSegmentBytes, MaxBytesPerApp: 1 << 20}
		s := openStore(t, dir, opts)
		appendN(s, "shop", 1, 6000)
		require.NoError(t, s.Close())
		files := segFiles(t, dir, "shop")
		require.Greater(t, len(files), 2)
		b, err := os.ReadFile(files[0])
		require.NoError(t, err)
		b[len(b)/2] ^= 0xff // flip a byte in the middle of the oldest segment
		require.NoError(t, os.WriteFile(files[0], b, 0o600))

		s = openStore(t, dir, opts)
		lines := query(t, s, engine.LogQuery{App: "shop"})
		assert.Less(t, len(lines), 6000, "the rest of the damaged segment is skipped")
		assert.Greater(t, len(lines), 6000-MinSegmentBytes/20)
		assert.Equal(t, "line 6000", lines[len(lines)-1].Text)
		for i := 1; i < len(lines); i++ {
			require.Less(t, lines[i-1].Seq, lines[i].Seq)
		}
		assert.Len(t, query(t, s, engine.LogQuery{App: "shop", Tail: 100}), 100)
	})
}

func TestRemoveApp(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	appendN(s, "shop", 1, 10)
	appendN(s, "blog", 1, 3)
	flush(t, s)
	ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)

	require.NoError(t, s.RemoveApp("shop"))
	waitClosed(t, ch)
	assert.NoDirExists(t, filepath.Join(dir, "shop"))
	assert.Empty(t, query(t, s, engine.LogQuery{App: "shop"}))
	assert.Len(t, query(t, s, engine.LogQuery{App: "blog"}), 3, "other apps keep their history")

	s.Append(mkLine("shop", "born again"))
	flush(t, s)
	lines := query(t, s, engine.LogQuery{App: "shop"})
	require.Len(t, lines, 1)
	assert.Equal(t, uint64(1), lines[0].Seq, "a new history starts at 1")

	require.NoError(t, s.RemoveApp("never-logged"))
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(s.RemoveApp("../blog")))
	assert.DirExists(t, filepath.Join(dir, "blog"))
}

func TestUntrustedNames(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "evil")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".removed-old-1"), 0o700))
	s := openStore(t, dir, Options{})
	assert.NoDirExists(t, filepath.Join(dir, ".removed-old-1"), "leftovers of RemoveApp are deleted")

	for _, app := range []string{"../escape", "/etc", "a/b", "", "UPPER", "-x", "x-", ".hidden"} {
		s.Append(mkLine(app, "nope"))
	}
	s.Append(mkLine("evil", "through a symlink?"))
	flush(t, s)
	assert.Equal(t, uint64(8), s.Stats().Rejected)
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing is written through a symlink")
	assert.NoFileExists(t, filepath.Join(filepath.Dir(dir), "escape"))
}

func TestOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"segment too small":      {SegmentBytes: 1024},
		"cap below two segments": {MaxBytesPerApp: 5 << 20, SegmentBytes: 4 << 20},
		"negative buffer":        {FollowerBuffer: -1},
		"tiny queue bytes":       {WriteQueueBytes: 10},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Open(t.TempDir(), opts)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		})
	}
	t.Run("small cap picks a small segment", func(t *testing.T) {
		o, err := Options{MaxBytesPerApp: 1 << 20}.withDefaults()
		require.NoError(t, err)
		assert.Equal(t, int64(256<<10), o.SegmentBytes)
	})
}

func TestClosed(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	waitClosed(t, ch)
	require.NoError(t, s.Close(), "Close twice is fine")
	s.Append(mkLine("shop", "ignored"))
	_, err = s.Query(t.Context(), engine.LogQuery{App: "shop"})
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	_, err = s.Follow(t.Context(), engine.LogQuery{App: "shop"})
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(s.Flush(t.Context())))
}

func TestConcurrentUse(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{SegmentBytes: MinSegmentBytes, MaxBytesPerApp: 4 * MinSegmentBytes, FollowerBuffer: 64})
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, app := range []string{"shop", "blog"} {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				s.Append(mkLine(app, fmt.Sprintf("%d %s", i, strings.Repeat("p", i%300))))
			}
		})
		wg.Go(func() {
			for ctx.Err() == nil {
				lines, err := s.Query(ctx, engine.LogQuery{App: app, Tail: 50})
				if err != nil {
					assert.ErrorIs(t, err, context.Canceled)
					return
				}
				for i := 1; i < len(lines); i++ {
					assert.Less(t, lines[i-1].Seq, lines[i].Seq)
				}
			}
		})
		wg.Go(func() {
			for ctx.Err() == nil {
				fctx, stop := context.WithTimeout(ctx, 20*time.Millisecond)
				ch, err := s.Follow(fctx, engine.LogQuery{App: app})
				if err == nil {
					for range ch {
					}
				}
				stop()
			}
		})
	}
	wg.Go(func() {
		for ctx.Err() == nil {
			assert.NoError(t, s.RemoveApp("blog"))
			time.Sleep(5 * time.Millisecond)
		}
	})
	time.Sleep(time.Second)
	cancel()
	wg.Wait()
	flush(t, s)
	st := s.Stats()
	assert.Equal(t, st.Appended, st.Written+st.Dropped+uint64(st.Queued), "every line is accounted for: %+v", st)
	assert.LessOrEqual(t, st.Apps["shop"].DiskBytes, int64(4*MinSegmentBytes))
	assert.NotEmpty(t, query(t, s, engine.LogQuery{App: "shop", Tail: 10}))
}

func TestDiskFailure(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "victim")
	require.NoError(t, os.WriteFile(target, nil, 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "shop"), 0o700))
	link := filepath.Join(dir, "shop", segName(1))
	require.NoError(t, os.Symlink(target, link)) // the first segment cannot be created

	s := openStore(t, dir, Options{})
	var batch []engine.LogLine
	for i := range 10 {
		batch = append(batch, mkLine("shop", fmt.Sprint(i+1)))
	}
	s.Append(batch...) // one call, so one batch for the writer
	flush(t, s)
	st := s.Stats()
	assert.Equal(t, uint64(10), st.Dropped, "lines that cannot be written are counted")
	assert.Zero(t, st.Written)
	info, err := os.Stat(target)
	require.NoError(t, err)
	assert.Zero(t, info.Size(), "nothing is written through a symlink")

	require.NoError(t, os.Remove(link)) // the disk works again
	appendN(s, "shop", 11, 5)
	flush(t, s)
	assert.Equal(t, uint64(5), s.Stats().Written)
	lines := query(t, s, engine.LogQuery{App: "shop"})
	assert.Equal(t, []uint64{11, 12, 13, 14, 15}, seqs(lines))
	require.NoError(t, s.Close())

	s = openStore(t, dir, Options{})
	assert.Equal(t, []uint64{11, 12, 13, 14, 15}, seqs(query(t, s, engine.LogQuery{App: "shop"})))
}
