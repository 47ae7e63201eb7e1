package store

import (
	"testing"

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
	bobs.User = "Bob@Example.com"
	require.NoError(t, db.AddKey(ctx, bobs))
	assert.Equal(t, "bob@example.com", bobs.User)

	got, err := db.FindKeyByFingerprint(ctx, "SHA256:bob")
	require.NoError(t, err)
	assert.Equal(t, bobs, got)
	got, err = db.FindKeyByFingerprint(ctx, "SHA256:own")
	require.NoError(t, err)
	assert.Empty(t, got.User, "a key without a user is the server owner's")
	assert.Equal(t, 1, countRows(t, db, "ssh_keys", "user IS NULL"), "stored as NULL")

	stray := newKey("stray", "SHA256:stray")
	stray.User = "nobody@example.com"
	requireCode(t, db.AddKey(ctx, stray), engine.ENOTFOUND, `user "nobody@example.com" not found`)

	require.NoError(t, db.DeleteUser(ctx, "bob@example.com"))
	keys, err := db.ListKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*engine.Key{owner}, keys, "a removed user's keys stop pushing")
}

func TestKeysFromBeforeAccountsKeepWorking(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	rawExec(t, db, `INSERT INTO ssh_keys (name, fingerprint, public_key, created_at) VALUES ('old', 'SHA256:old', 'ssh-ed25519 A', '2024-01-01T00:00:00.000000000Z')`)
	got, err := db.FindKeyByFingerprint(ctx, "SHA256:old")
	require.NoError(t, err)
	assert.Equal(t, "old", got.Name)
	assert.Empty(t, got.User)
}
