package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestKeyBelongsToUser(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)

	owner := newKey("owner", "SHA256:own")
	require.NoError(t, db.AddKey(ctx, owner))
	bobs := newKey("bob-laptop", "SHA256:bob")
	bobs.Owner, bobs.User = engine.KeyOwnerUser, "Bob@Example.com"
	require.NoError(t, db.AddKey(ctx, bobs))
	assert.Equal(t, "bob@example.com", bobs.User)

	got, err := db.FindKeyByFingerprint(ctx, "SHA256:bob")
	require.NoError(t, err)
	assert.Equal(t, bobs, got)
	got, err = db.FindKeyByFingerprint(ctx, "SHA256:own")
	require.NoError(t, err)
	assert.Empty(t, got.User, "a key of the server's owner has no user")
	assert.Equal(t, engine.KeyOwnerServer, got.Owner)
	assert.Equal(t, 1, countRows(t, db, "ssh_keys", "user IS NULL AND owner = 'server'"), "stored as NULL, owned by the server")

	stray := newKey("stray", "SHA256:stray")
	stray.Owner, stray.User = engine.KeyOwnerUser, "nobody@example.com"
	requireCode(t, db.AddKey(ctx, stray), engine.ENOTFOUND, `user "nobody@example.com" not found`)

	require.NoError(t, db.DeleteUser(ctx, "bob@example.com"))
	keys, err := db.ListKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*engine.Key{owner}, keys, "a removed user's keys stop pushing")
}

func TestKeyOwnerMustBeConsistent(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)

	ownerless := newKey("ownerless", "SHA256:none")
	ownerless.Owner = ""
	requireCode(t, db.AddKey(ctx, ownerless), engine.EINVALID, "needs the user's e-mail")
	both := newKey("both", "SHA256:both")
	both.User = "bob@example.com"
	requireCode(t, db.AddKey(ctx, both), engine.EINVALID, "belongs to no user")
	odd := newKey("odd", "SHA256:odd")
	odd.Owner = "root"
	requireCode(t, db.AddKey(ctx, odd), engine.EINVALID, "unknown key owner")

	implicit := newKey("implicit", "SHA256:impl")
	implicit.Owner, implicit.User = "", "bob@example.com"
	require.NoError(t, db.AddKey(ctx, implicit))
	assert.Equal(t, engine.KeyOwnerUser, implicit.Owner, "a key naming a user is that user's")
	assert.Equal(t, 0, countRows(t, db, "ssh_keys", "owner <> 'user'"))
}

// TestMigrationMarksOwnerlessKeys opens a database at schema 5 holding a
// key stored without an owner (as older versions stored the server owner's
// keys and those admins added) and a user's key: after the upgrade the
// first is explicitly the server owner's (legacy), the second stays the
// user's.
func TestMigrationMarksOwnerlessKeys(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", dsn(path))
	require.NoError(t, err)
	require.NoError(t, migrate(ctx, old, builtinMigrations[:5], time.Now, path))
	for _, q := range []string{
		`INSERT INTO users (email, role, created_at) VALUES ('bob@example.com', 'developer', '2024-01-01T00:00:00.000000000Z')`,
		`INSERT INTO ssh_keys (name, fingerprint, public_key, created_at) VALUES ('old', 'SHA256:old', 'ssh-ed25519 A', '2024-01-01T00:00:00.000000000Z')`,
		`INSERT INTO ssh_keys (name, fingerprint, public_key, user, created_at) VALUES ('bobs', 'SHA256:bob', 'ssh-ed25519 B', 'bob@example.com', '2024-01-01T00:00:00.000000000Z')`,
	} {
		_, err := old.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	require.NoError(t, old.Close())

	db := openAt(t, path)
	got, err := db.FindKeyByFingerprint(ctx, "SHA256:old")
	require.NoError(t, err)
	assert.Equal(t, engine.KeyOwnerLegacy, got.Owner, "an ownerless key is marked as the server owner's, from an older version")
	assert.Empty(t, got.User)
	assert.True(t, got.ActsAsServerOwner())
	got, err = db.FindKeyByFingerprint(ctx, "SHA256:bob")
	require.NoError(t, err)
	assert.Equal(t, engine.KeyOwnerUser, got.Owner)
	assert.Equal(t, "bob@example.com", got.User)
}
