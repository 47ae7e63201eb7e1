package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func newKey(name, fp string) *engine.Key {
	return &engine.Key{Name: name, Fingerprint: fp, PublicKey: "ssh-ed25519 AAAA" + name, Owner: engine.KeyOwnerServer}
}

func TestAddFindListRemoveKeys(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	keys, err := db.ListKeys(ctx)
	require.NoError(t, err)
	assert.NotNil(t, keys)
	assert.Empty(t, keys)

	laptop := newKey("laptop", "SHA256:aaa")
	require.NoError(t, db.AddKey(ctx, laptop))
	assert.Equal(t, clk.t, laptop.CreatedAt)
	ci := newKey("ci@example", "SHA256:bbb")
	require.NoError(t, db.AddKey(ctx, ci))

	got, err := db.FindKeyByFingerprint(ctx, "SHA256:aaa")
	require.NoError(t, err)
	assert.Equal(t, laptop, got)

	keys, err = db.ListKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*engine.Key{ci, laptop}, keys, "ordered by name")

	require.NoError(t, db.RemoveKey(ctx, "laptop"))
	_, err = db.FindKeyByFingerprint(ctx, "SHA256:aaa")
	requireCode(t, err, engine.ENOTFOUND, "SHA256:aaa")
	keys, err = db.ListKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []*engine.Key{ci}, keys)
}

func TestKeyErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	require.NoError(t, db.AddKey(ctx, newKey("laptop", "SHA256:aaa")))

	requireCode(t, db.AddKey(ctx, newKey("laptop", "SHA256:zzz")), engine.ECONFLICT, `key "laptop" already exists`)
	requireCode(t, db.AddKey(ctx, newKey("desktop", "SHA256:aaa")), engine.ECONFLICT, `already added as "laptop"`)
	theirs := newKey("theirs", "SHA256:aaa")
	theirs.User, theirs.Owner = "eve@example.com", engine.KeyOwnerUser
	err := db.AddKey(ctx, theirs)
	requireCode(t, err, engine.ECONFLICT, "already added for another account")
	assert.NotContains(t, engine.ErrorMessage(err), "laptop", "another account's key name is not told")
	requireCode(t, db.AddKey(ctx, newKey("", "SHA256:x")), engine.EINVALID)
	requireCode(t, db.AddKey(ctx, newKey("x", "")), engine.EINVALID)
	requireCode(t, db.RemoveKey(ctx, "nope"), engine.ENOTFOUND, `key "nope" not found`)
	_, err = db.FindKeyByFingerprint(ctx, "SHA256:nope")
	requireCode(t, err, engine.ENOTFOUND)

	keys, err := db.ListKeys(ctx)
	require.NoError(t, err)
	assert.Len(t, keys, 1)
}
