package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCreateFindTouchDeleteSession(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)

	s := &engine.Session{IDHash: "h1", User: "BOB@example.com", CSRFToken: "csrf", ExpiresAt: farFuture, From: "192.0.2.1"}
	require.NoError(t, db.CreateSession(ctx, s))
	assert.Equal(t, clk.t, s.CreatedAt)
	assert.Equal(t, s.CreatedAt, s.LastSeen)
	assert.Equal(t, "bob@example.com", s.User)

	got, err := db.FindSession(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, s, got)

	seen := s.CreatedAt.Add(time.Hour)
	require.NoError(t, db.TouchSession(ctx, "h1", seen))
	got, err = db.FindSession(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, seen, got.LastSeen)

	require.NoError(t, db.DeleteSession(ctx, "h1"))
	_, err = db.FindSession(ctx, "h1")
	requireCode(t, err, engine.ENOTFOUND)
}

func TestCreateSessionDeletesExpiredOnes(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	old := &engine.Session{IDHash: "old", User: "bob@example.com", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	live := &engine.Session{IDHash: "live", User: "bob@example.com", CreatedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)}
	require.NoError(t, db.CreateSession(ctx, old))
	require.NoError(t, db.CreateSession(ctx, live))

	next := &engine.Session{IDHash: "next", User: "bob@example.com", CreatedAt: t0.Add(2 * time.Hour), ExpiresAt: farFuture}
	require.NoError(t, db.CreateSession(ctx, next))
	_, err := db.FindSession(ctx, "old")
	requireCode(t, err, engine.ENOTFOUND)
	_, err = db.FindSession(ctx, "live")
	require.NoError(t, err)
}

func TestDeleteUserSessions(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateUser(t, db, "carol@example.com", engine.RoleDeveloper)
	for _, h := range []string{"b1", "b2"} {
		require.NoError(t, db.CreateSession(ctx, &engine.Session{IDHash: h, User: "bob@example.com", ExpiresAt: farFuture}))
	}
	require.NoError(t, db.CreateSession(ctx, &engine.Session{IDHash: "c1", User: "carol@example.com", ExpiresAt: farFuture}))

	require.NoError(t, db.DeleteUserSessions(ctx, "Bob@Example.com"))
	assert.Zero(t, countRows(t, db, "sessions", "user = ?", "bob@example.com"))
	_, err := db.FindSession(ctx, "c1")
	require.NoError(t, err)
	require.NoError(t, db.DeleteUserSessions(ctx, "nobody@example.com"))
}

func TestSessionErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, db.CreateSession(ctx, &engine.Session{IDHash: "h1", User: "bob@example.com", ExpiresAt: farFuture}))

	requireCode(t, db.CreateSession(ctx, &engine.Session{IDHash: "h1", User: "bob@example.com", ExpiresAt: farFuture}), engine.ECONFLICT)
	requireCode(t, db.CreateSession(ctx, &engine.Session{IDHash: "h2", User: "nobody@example.com", ExpiresAt: farFuture}), engine.ENOTFOUND)
	requireCode(t, db.CreateSession(ctx, &engine.Session{User: "bob@example.com", ExpiresAt: farFuture}), engine.EINVALID)
	requireCode(t, db.CreateSession(ctx, &engine.Session{IDHash: "h3", User: "bob@example.com"}), engine.EINVALID)
	_, err := db.FindSession(ctx, "nope")
	requireCode(t, err, engine.ENOTFOUND)
	requireCode(t, db.TouchSession(ctx, "nope", time.Now()), engine.ENOTFOUND)
	requireCode(t, db.DeleteSession(ctx, "nope"), engine.ENOTFOUND)
}
