package logs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/procfd"
)

// openFilesUnder counts this process's open file descriptors whose path is
// under dir.
func openFilesUnder(t *testing.T, dir string) int {
	t.Helper()
	n, err := procfd.OpenUnder(dir)
	require.NoError(t, err)
	return n
}

// A quiet app holds no file open: after idleSyncs syncs without a line its
// active segment is closed, and the next line opens it again and goes on
// from where the history was.
func TestIdleAppsHoldNoFile(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{SyncInterval: time.Hour})
	appendN(s, "shop", 1, 3)
	appendN(s, "blog", 1, 1)
	flush(t, s)
	require.Equal(t, 2, openFilesUnder(t, dir), "each app that logs has its active segment open")

	for range idleSyncs - 1 {
		appendN(s, "blog", 2, 1) // blog keeps logging, shop is quiet
		flush(t, s)
	}
	flush(t, s)
	assert.Equal(t, 1, openFilesUnder(t, dir), "the quiet app's file is closed, the busy one's is not")

	appendN(s, "shop", 4, 2)
	flush(t, s)
	assert.Equal(t, []string{"line 1", "line 2", "line 3", "line 4", "line 5"},
		texts(query(t, s, engine.LogQuery{App: "shop"})))
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, seqs(query(t, s, engine.LogQuery{App: "shop"})))
	require.NoError(t, s.Close())
	reopened := openStore(t, dir, Options{})
	assert.Len(t, query(t, reopened, engine.LogQuery{App: "shop"}), 5, "the history survives the reopened file")
}

// A line that arrives for an app after its history was removed (a late
// line of a stopping container) starts a new history; its file does not
// stay open for good.
func TestALateLineAfterRemoveAppHoldsNoFile(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{SyncInterval: time.Hour})
	appendN(s, "shop", 1, 3)
	flush(t, s)
	require.NoError(t, s.RemoveApp("shop"))
	assert.Zero(t, openFilesUnder(t, dir))

	appendN(s, "shop", 4, 1)
	for range idleSyncs + 1 {
		flush(t, s)
	}
	assert.Zero(t, openFilesUnder(t, dir), "the late line's file is closed once it is idle")
}
