package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestGrantRevokeAccess(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateUser(t, db, "carol@example.com", engine.RoleViewer)
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "api2")

	apps, err := db.AppsOf(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.NotNil(t, apps)
	assert.Empty(t, apps)

	require.NoError(t, db.GrantAccess(ctx, "web", "Bob@example.com"))
	require.NoError(t, db.GrantAccess(ctx, "web", "bob@example.com"), "granting twice is fine")
	require.NoError(t, db.GrantAccess(ctx, "api2", "bob@example.com"))
	require.NoError(t, db.GrantAccess(ctx, "web", "carol@example.com"))

	apps, err = db.AppsOf(ctx, "BOB@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"api2", "web"}, apps)
	members, err := db.Members(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.com", "carol@example.com"}, members)

	require.NoError(t, db.RevokeAccess(ctx, "web", "bob@example.com"))
	apps, err = db.AppsOf(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"api2"}, apps)
	requireCode(t, db.RevokeAccess(ctx, "web", "bob@example.com"), engine.ENOTFOUND, "has no access")
}

func TestAccessGoesWithTheApp(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateApp(t, db, "web")
	require.NoError(t, db.GrantAccess(ctx, "web", "bob@example.com"))
	require.NoError(t, db.DeleteApp(ctx, "web"))
	assert.Zero(t, countRows(t, db, "app_access", "1"))

	mustCreateApp(t, db, "web")
	apps, err := db.AppsOf(ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Empty(t, apps, "a new app with an old name is not granted")
}

func TestAccessErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateApp(t, db, "web")

	requireCode(t, db.GrantAccess(ctx, "nope", "bob@example.com"), engine.ENOTFOUND, `app "nope" not found`)
	requireCode(t, db.GrantAccess(ctx, "web", "nobody@example.com"), engine.ENOTFOUND, `user "nobody@example.com" not found`)
	requireCode(t, db.RevokeAccess(ctx, "nope", "bob@example.com"), engine.ENOTFOUND, `app "nope"`)
	requireCode(t, db.RevokeAccess(ctx, "web", "nobody@example.com"), engine.ENOTFOUND, "nobody")
	_, err := db.AppsOf(ctx, "nobody@example.com")
	requireCode(t, err, engine.ENOTFOUND)
	_, err = db.Members(ctx, "nope")
	requireCode(t, err, engine.ENOTFOUND, `app "nope" not found`)
}
