package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestKeyIdentity(t *testing.T) {
	r := newAccRig(t)
	r.user("admin@example.com", engine.RoleAdmin)
	r.user("bob@example.com", engine.RoleViewer)

	id, err := r.acc.KeyIdentity(r.ctx, &engine.Key{Name: "owner-laptop", Owner: engine.KeyOwnerServer}, "192.0.2.1")
	require.NoError(t, err)
	assert.Equal(t, engine.Identity{Name: "owner-laptop", Role: engine.RoleAdmin, Via: "ssh", From: "192.0.2.1"}, id)

	bobs := &engine.Key{Name: "bob-laptop", Fingerprint: "SHA256:bob", PublicKey: "ssh-ed25519 A", Owner: engine.KeyOwnerUser, User: "bob@example.com"}
	require.NoError(t, r.db.AddKey(r.ctx, bobs))
	id, err = r.acc.KeyIdentity(r.ctx, bobs, "192.0.2.2")
	require.NoError(t, err)
	assert.Equal(t, engine.Identity{Name: "bob@example.com", User: "bob@example.com", Role: engine.RoleViewer, Via: "ssh", From: "192.0.2.2"}, id)
	assert.Error(t, r.acc.Authorize(r.ctx, id, engine.ActDeploy, ""), "a viewer's key cannot push")

	require.NoError(t, r.acc.DisableUser(r.ctx, "bob@example.com"))
	_, err = r.acc.KeyIdentity(r.ctx, bobs, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "disabled")
	require.NoError(t, r.acc.RemoveUser(r.ctx, "bob@example.com"))
	_, err = r.acc.KeyIdentity(r.ctx, bobs, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "belongs to no user")
	_, err = r.db.FindKeyByFingerprint(r.ctx, "SHA256:bob")
	requireCode(t, err, engine.ENOTFOUND) // removed with its user
}
