package store

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// testKey is a fixed config encryption key for tests.
var testKey = bytes.Repeat([]byte{0x42}, KeySize)

// clock is a deterministic Now: each call is one second after the last.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// openAt opens (creating) the database at path with testKey.
func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, testKey)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openTest opens a new database in a temporary directory with a clock.
func openTest(t *testing.T) (*DB, *clock) {
	t.Helper()
	db := openAt(t, filepath.Join(t.TempDir(), "quayside.db"))
	c := newClock()
	db.Now = c.Now
	return db, c
}

func mustCreateApp(t *testing.T, db *DB, name string) *engine.App {
	t.Helper()
	app := &engine.App{Name: name, CreatedBy: "alice"}
	require.NoError(t, db.CreateApp(t.Context(), app))
	return app
}

func mustCreateRelease(t *testing.T, db *DB, app string) *engine.Release {
	t.Helper()
	r := &engine.Release{App: app, Kind: engine.KindDeploy, Status: engine.ReleaseBuilding, Author: "alice"}
	require.NoError(t, db.CreateRelease(t.Context(), r))
	return r
}

// requireCode asserts that err is an *engine.Error with code and that its
// message contains each of parts.
func requireCode(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, engine.ErrorCode(err), "error: %v", err)
	for _, p := range parts {
		require.Contains(t, engine.ErrorMessage(err), p)
	}
}

// rawExec runs SQL straight on the database, for setting up what the API
// cannot.
func rawExec(t *testing.T, db *DB, q string, args ...any) {
	t.Helper()
	_, err := db.sql.ExecContext(context.Background(), q, args...)
	require.NoError(t, err)
}
