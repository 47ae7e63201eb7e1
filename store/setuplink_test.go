package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestSetupLinkIsUsedOnce(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &engine.SetupLink{Hash: "h1", User: "Bob@example.com", ExpiresAt: t0.Add(72 * time.Hour)}
	require.NoError(t, db.CreateSetupLink(ctx, l))
	assert.Equal(t, "bob@example.com", l.User)

	used, err := db.UseSetupLink(ctx, "h1", t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, &engine.SetupLink{Hash: "h1", User: "bob@example.com", ExpiresAt: l.ExpiresAt, UsedAt: t0.Add(time.Hour)}, used)

	_, err = db.UseSetupLink(ctx, "h1", t0.Add(2*time.Hour))
	requireCode(t, err, engine.ENOTFOUND, "already used")
}

func TestSetupLinkExpires(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "h1", User: "bob@example.com", ExpiresAt: t0}))

	_, err := db.UseSetupLink(ctx, "h1", t0)
	requireCode(t, err, engine.ENOTFOUND, "expired")
	_, err = db.UseSetupLink(ctx, "h1", t0.Add(-time.Nanosecond))
	require.NoError(t, err, "usable until the instant it expires")
}

func TestNewSetupLinkReplacesOlder(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateUser(t, db, "carol@example.com", engine.RoleDeveloper)
	require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "b1", User: "bob@example.com", ExpiresAt: farFuture}))
	require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "c1", User: "carol@example.com", ExpiresAt: farFuture}))
	require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "b2", User: "bob@example.com", ExpiresAt: farFuture}))

	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := db.UseSetupLink(ctx, "b1", now)
	requireCode(t, err, engine.ENOTFOUND, "replaced")
	_, err = db.UseSetupLink(ctx, "b2", now)
	require.NoError(t, err)
	_, err = db.UseSetupLink(ctx, "c1", now)
	require.NoError(t, err, "other users' links are kept")
}

func TestSetupLinkErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	requireCode(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "h", User: "nobody@example.com", ExpiresAt: farFuture}), engine.ENOTFOUND)
	requireCode(t, db.CreateSetupLink(ctx, &engine.SetupLink{User: "bob@example.com", ExpiresAt: farFuture}), engine.EINVALID)
	requireCode(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "h", User: "bob@example.com"}), engine.EINVALID)
	_, err := db.UseSetupLink(ctx, "unknown", time.Now())
	requireCode(t, err, engine.ENOTFOUND, "ask an admin")
}

func TestCheckSetupLinkChangesNothing(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, db.CreateSetupLink(ctx, &engine.SetupLink{Hash: "h1", User: "bob@example.com", ExpiresAt: t0.Add(time.Hour)}))

	for range 3 {
		require.NoError(t, db.CheckSetupLink(ctx, "h1", t0), "checking does not use the link")
	}
	requireCode(t, db.CheckSetupLink(ctx, "h1", t0.Add(time.Hour)), engine.ENOTFOUND)
	requireCode(t, db.CheckSetupLink(ctx, "nope", t0), engine.ENOTFOUND)
	_, err := db.UseSetupLink(ctx, "h1", t0)
	require.NoError(t, err, "still usable after the checks")
	requireCode(t, db.CheckSetupLink(ctx, "h1", t0), engine.ENOTFOUND, "already used")
}
