package metrics

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filledMetrics returns Metrics saving in dir with 40 intervals of web's
// history: 1 request per interval, so one 5-minute point and a rollup
// under way.
func filledMetrics(t *testing.T, dir string) (*Metrics, *fakeClock) {
	t.Helper()
	m, c := newTestMetrics(t, dir)
	for range 40 {
		m.ObserveRequest("web", 200, 3*time.Millisecond, 0, 0)
		tick(m, c)
	}
	return m, c
}

func TestHistorySurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	m, c := filledMetrics(t, dir)
	require.NoError(t, m.Close())

	path := filepath.Join(dir, HistoryFile)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	m2 := New(Config{Dir: dir, Now: c.Now})
	assert.Equal(t, m.AppSeries("web", time.Hour), m2.AppSeries("web", time.Hour))
	assert.Equal(t, m.AppSeries("web", 24*time.Hour), m2.AppSeries("web", 24*time.Hour))
	require.Len(t, m2.AppSeries("web", time.Hour), 40)
	require.Len(t, m2.AppSeries("web", 24*time.Hour), 1)

	t.Run("the rollup under way goes on", func(t *testing.T) {
		for range 21 { // into the third window
			m2.ObserveRequest("web", 200, 3*time.Millisecond, 0, 0)
			m2.closeInterval(c.Add(Resolution))
		}
		coarse := m2.AppSeries("web", 24*time.Hour)
		require.Len(t, coarse, 2)
		assert.InDelta(t, 0.1, coarse[1].Requests, 1e-6, "one request per 10 s, over the whole window")
	})
	t.Run("saving again replaces the file", func(t *testing.T) {
		require.NoError(t, m2.Close())
		m3 := New(Config{Dir: dir, Now: c.Now})
		assert.Len(t, m3.AppSeries("web", 24*time.Hour), 2)
	})
}

func TestUnreadableHistoryIsIgnored(t *testing.T) {
	for name, content := range map[string][]byte{
		"garbage":   []byte("this is not gob"),
		"empty":     {},
		"truncated": nil, // filled below from a real file
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, HistoryFile)
			if content == nil {
				m, _ := filledMetrics(t, dir)
				require.NoError(t, m.Close())
				full, err := os.ReadFile(path)
				require.NoError(t, err)
				content = full[:len(full)/2]
			}
			require.NoError(t, os.WriteFile(path, content, 0o600))
			rec := &recordingHandler{}
			c := newClock()
			m := New(Config{Dir: dir, Now: c.Now, Logger: slog.New(rec)})
			assert.Nil(t, m.AppSeries("web", time.Hour))
			assert.Contains(t, rec.messages(), "metrics history is unreadable, starting a new one")

			m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
			m.closeInterval(c.Add(Resolution))
			require.NoError(t, m.Close(), "the bad file is replaced")
			assert.Len(t, New(Config{Dir: dir, Now: c.Now}).AppSeries("web", time.Hour), 1)
		})
	}
}

func TestHistoryOfAnotherVersionIsIgnored(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, HistoryFile)
	require.NoError(t, writeAtomic(path, savedHistory{Version: historyVersion + 1, Apps: map[string]savedApp{
		"web": {Fine: []point{{T: t0.Unix(), Requests: 1}}},
	}}))
	m, _ := newTestMetrics(t, dir)
	assert.Nil(t, m.AppSeries("web", time.Hour))
}

func TestRestoreDropsStaleAndBadEntries(t *testing.T) {
	h := newHistory(t0)
	h.restore(savedHistory{Version: historyVersion, Apps: map[string]savedApp{
		"":     {Fine: []point{{T: t0.Unix()}}},
		"gone": {Coarse: []point{{T: t0.Add(-8 * 24 * time.Hour).Unix()}}},
		"web":  {Fine: make([]point, fineSize+5), Coarse: []point{{T: t0.Unix()}}, Rollup: rollup{N: 3}},
	}}, t0.Unix())
	assert.NotContains(t, h.apps, "", "no history for unrouted requests")
	assert.NotContains(t, h.apps, "gone", "nothing in the last week: destroyed while the daemon was down")
	require.Contains(t, h.apps, "web")
	assert.Len(t, h.apps["web"].fine.buf, fineSize)
	assert.Equal(t, rollup{}, h.apps["web"].acc, "a rollup without seconds is dropped")
}

func TestSaveFailureIsReported(t *testing.T) {
	dir := t.TempDir()
	m, _ := newTestMetrics(t, filepath.Join(dir, "missing"))
	assert.ErrorContains(t, m.Close(), "save metrics history")
}

func TestNoDirKeepsNoFile(t *testing.T) {
	m, c := newTestMetrics(t, "")
	m.ObserveRequest("web", 200, time.Millisecond, 0, 0)
	m.closeInterval(c.Add(Resolution))
	require.NoError(t, m.Close())
}
