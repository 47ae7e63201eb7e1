package logs

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestQueryFilters(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := openStore(t, t.TempDir(), Options{Now: func() time.Time { return base.Add(time.Hour) }})
	for i := range 10 {
		proc := "web"
		if i%2 == 1 {
			proc = "worker"
		}
		s.Append(engine.LogLine{App: "shop", Time: base.Add(time.Duration(i) * time.Minute), Process: proc, Stream: "stdout", Text: fmt.Sprint(i)})
	}
	for _, fromDisk := range []bool{false, true} {
		if fromDisk {
			flush(t, s)
		}
		for _, tc := range []struct {
			name string
			q    engine.LogQuery
			want []string
		}{
			{"all", engine.LogQuery{}, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
			{"tail", engine.LogQuery{Tail: 3}, []string{"7", "8", "9"}},
			{"tail beyond all", engine.LogQuery{Tail: 50}, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
			{"since is inclusive", engine.LogQuery{Since: base.Add(7 * time.Minute)}, []string{"7", "8", "9"}},
			{"process", engine.LogQuery{Process: "worker"}, []string{"1", "3", "5", "7", "9"}},
			{"all three", engine.LogQuery{Process: "web", Since: base.Add(3 * time.Minute), Tail: 2}, []string{"6", "8"}},
			{"unknown process", engine.LogQuery{Process: "cron"}, []string{}},
			{"since after the last", engine.LogQuery{Since: base.Add(30 * time.Minute)}, []string{}},
		} {
			t.Run(fmt.Sprintf("%s/disk=%v", tc.name, fromDisk), func(t *testing.T) {
				tc.q.App = "shop"
				assert.Equal(t, tc.want, texts(query(t, s, tc.q)))
			})
		}
	}
	t.Run("unknown app", func(t *testing.T) {
		lines := query(t, s, engine.LogQuery{App: "nobody"})
		assert.NotNil(t, lines)
		assert.Empty(t, lines)
	})
}

func TestQueryValidation(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	s := openStore(t, t.TempDir(), Options{Now: func() time.Time { return now }})
	for _, tc := range []struct {
		name, field string
		q           engine.LogQuery
	}{
		{"negative tail", "tail", engine.LogQuery{App: "shop", Tail: -1}},
		{"huge tail", "tail", engine.LogQuery{App: "shop", Tail: MaxTail + 1}},
		{"since in the future", "since", engine.LogQuery{App: "shop", Since: now.Add(10 * time.Minute)}},
		{"since before 1970", "since", engine.LogQuery{App: "shop", Since: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"bad process", "process", engine.LogQuery{App: "shop", Process: "Web!"}},
		{"path as process", "process", engine.LogQuery{App: "shop", Process: "../x"}},
		{"dot outside cron", "process", engine.LogQuery{App: "shop", Process: "web.1"}},
		{"cron path", "process", engine.LogQuery{App: "shop", Process: "cron../x"}},
		{"empty app", "app", engine.LogQuery{}},
		{"path as app", "app", engine.LogQuery{App: "../etc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Query(t.Context(), tc.q)
			require.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorFields(err), tc.field)
			assert.NotEmpty(t, engine.ErrorMessage(err))
			_, err = s.Follow(t.Context(), tc.q)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "Follow checks the same way")
		})
	}
	t.Run("scheduled jobs' processes are allowed", func(t *testing.T) {
		_, err := s.Query(t.Context(), engine.LogQuery{App: "shop", Process: "cron.nightly-report"})
		assert.NoError(t, err)
	})
	t.Run("limits are allowed", func(t *testing.T) {
		_, err := s.Query(t.Context(), engine.LogQuery{App: "shop", Tail: MaxTail, Since: now.Add(MaxSinceSkew), Process: "platform"})
		assert.NoError(t, err)
	})
}

func TestQueryReadsOnlyWhatItNeeds(t *testing.T) {
	clk := newClock()
	s := openStore(t, t.TempDir(), Options{SegmentBytes: MinSegmentBytes, MaxBytesPerApp: 4 << 20, Now: clk.Now, WriteQueue: 1 << 20, WriteQueueBytes: 1 << 30})
	appendN(s, "shop", 1, 40000) // about 25 segments
	flush(t, s)
	nsegs := len(s.findApp("shop").segs)
	require.Greater(t, nsegs, 10)

	t.Run("tail", func(t *testing.T) {
		before := s.segmentsRead.Load()
		lines := query(t, s, engine.LogQuery{App: "shop", Tail: 100})
		require.Len(t, lines, 100)
		assert.Equal(t, "line 40000", lines[99].Text)
		assert.LessOrEqual(t, s.segmentsRead.Load()-before, uint64(2))
	})
	t.Run("since skips old segments once their spans are known", func(t *testing.T) {
		since := clk.Now().Add(-500 * time.Millisecond) // the last ~500 lines
		query(t, s, engine.LogQuery{App: "shop"})       // learns every span
		before := s.segmentsRead.Load()
		lines := query(t, s, engine.LogQuery{App: "shop", Since: since})
		assert.InDelta(t, 499, len(lines), 2)
		assert.LessOrEqual(t, s.segmentsRead.Load()-before, uint64(2))
	})
}
