package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCreateAndFindConfigVersion(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	vars := map[string]string{"DATABASE_URL": "postgres://x", "EMPTY": "", "BIN": "\xff\x01"}
	cv := &engine.ConfigVersion{App: "web", Version: 42, Vars: vars, Author: "alice"}
	require.NoError(t, db.CreateConfigVersion(ctx, cv))
	assert.Equal(t, 1, cv.Version)
	assert.Equal(t, clk.t, cv.CreatedAt)

	vars["LATER"] = "changed after the call"
	got, err := db.FindConfigVersion(ctx, "web", 1)
	require.NoError(t, err)
	assert.Equal(t, &engine.ConfigVersion{
		App: "web", Version: 1, Author: "alice", CreatedAt: cv.CreatedAt,
		Vars: map[string]string{"DATABASE_URL": "postgres://x", "EMPTY": "", "BIN": "\xff\x01"},
	}, got)

	cv2 := &engine.ConfigVersion{App: "web", Author: "bob"}
	require.NoError(t, db.CreateConfigVersion(ctx, cv2))
	assert.Equal(t, 2, cv2.Version)
	got2, err := db.FindConfigVersion(ctx, "web", 2)
	require.NoError(t, err)
	assert.NotNil(t, got2.Vars)
	assert.Empty(t, got2.Vars)

	app, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Zero(t, app.ConfigVersion, "creating a version does not make it current")
}

func TestConfigVersionsArePerApp(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "a")
	mustCreateApp(t, db, "b")
	for _, app := range []string{"a", "a", "b"} {
		require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: app, Vars: map[string]string{"APP": app}}))
	}
	b1, err := db.FindConfigVersion(ctx, "b", 1)
	require.NoError(t, err)
	assert.Equal(t, "b", b1.Vars["APP"])
	_, err = db.FindConfigVersion(ctx, "b", 2)
	requireCode(t, err, engine.ENOTFOUND, `config version 2 of app "b" not found`)
}

func TestFindConfigVersionZeroIsEmpty(t *testing.T) {
	db, _ := openTest(t)
	mustCreateApp(t, db, "web")
	got, err := db.FindConfigVersion(t.Context(), "web", 0)
	require.NoError(t, err)
	assert.Equal(t, "web", got.App)
	assert.Zero(t, got.Version)
	assert.NotNil(t, got.Vars)
	assert.Empty(t, got.Vars)

	_, err = db.FindConfigVersion(t.Context(), "nope", 0)
	requireCode(t, err, engine.ENOTFOUND, `app "nope" not found`)
}

func TestConfigVersionErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	requireCode(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "nope"}), engine.ENOTFOUND, `app "nope" not found`)
	mustCreateApp(t, db, "web")
	_, err := db.FindConfigVersion(ctx, "web", 3)
	requireCode(t, err, engine.ENOTFOUND, `config version 3 of app "web" not found`)
	_, err = db.FindConfigVersion(ctx, "web", -1)
	requireCode(t, err, engine.ENOTFOUND)
}

func TestSetAppConfigVersion(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web"}))
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web"}))

	require.NoError(t, db.SetAppConfigVersion(ctx, "web", 2))
	app, err := db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Equal(t, 2, app.ConfigVersion)
	require.NoError(t, db.SetAppConfigVersion(ctx, "web", 0))
	app, err = db.FindApp(ctx, "web")
	require.NoError(t, err)
	assert.Zero(t, app.ConfigVersion)

	requireCode(t, db.SetAppConfigVersion(ctx, "nope", 1), engine.ENOTFOUND, `app "nope" not found`)
	requireCode(t, db.SetAppConfigVersion(ctx, "web", 3), engine.ENOTFOUND, `config version 3 of app "web" not found`)

	t.Run("refused once a release runs", func(t *testing.T) {
		r := &engine.Release{App: "web", ConfigVersion: 1}
		require.NoError(t, db.CreateRelease(ctx, r))
		require.NoError(t, db.ActivateRelease(ctx, "web", r.Number, r.CreatedAt))
		requireCode(t, db.SetAppConfigVersion(ctx, "web", 2), engine.ECONFLICT, "new release")
		app, err := db.FindApp(ctx, "web")
		require.NoError(t, err)
		assert.Equal(t, 1, app.ConfigVersion)
	})
}

func TestConfigBlobCannotBeMoved(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateApp(t, db, "api")
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web", Vars: map[string]string{"S": "web secret"}}))
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "web", Vars: map[string]string{"S": "web secret 2"}}))
	require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{App: "api", Vars: map[string]string{"S": "api secret"}}))

	t.Run("to another app", func(t *testing.T) {
		rawExec(t, db, `UPDATE config_versions SET vars = (SELECT vars FROM config_versions c JOIN apps a ON a.id = c.app_id WHERE a.name = 'web' AND c.version = 1)
			WHERE app_id = (SELECT id FROM apps WHERE name = 'api') AND version = 1`)
		_, err := db.FindConfigVersion(ctx, "api", 1)
		requireCode(t, err, engine.EINTERNAL, `config version 1 of app "api" cannot be decrypted`)
	})
	t.Run("to another version", func(t *testing.T) {
		rawExec(t, db, `UPDATE config_versions SET vars = (SELECT vars FROM config_versions c JOIN apps a ON a.id = c.app_id WHERE a.name = 'web' AND c.version = 1)
			WHERE app_id = (SELECT id FROM apps WHERE name = 'web') AND version = 2`)
		_, err := db.FindConfigVersion(ctx, "web", 2)
		requireCode(t, err, engine.EINTERNAL, "cannot be decrypted")
	})
	got, err := db.FindConfigVersion(ctx, "web", 1)
	require.NoError(t, err)
	assert.Equal(t, "web secret", got.Vars["S"], "the original still decrypts")
}

func TestOpenWithWrongKeyFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db, err := Open(t.Context(), path, testKey)
	require.NoError(t, err)
	mustCreateApp(t, db, "web")
	require.NoError(t, db.CreateConfigVersion(t.Context(), &engine.ConfigVersion{App: "web", Vars: map[string]string{"A": "1"}}))
	require.NoError(t, db.Close())

	_, err = Open(t.Context(), path, bytes.Repeat([]byte{1}, KeySize))
	requireCode(t, err, engine.EINVALID, "encryption key does not match", path, "key file")

	db2 := openAt(t, path) // the right key still works
	got, err := db2.FindConfigVersion(t.Context(), "web", 1)
	require.NoError(t, err)
	assert.Equal(t, "1", got.Vars["A"])
}

func TestConfigIsEncryptedAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := openAt(t, path)
	ctx := t.Context()
	const (
		secretKey   = "STRIPE_LIVE_SECRET_NAME_7c1f"
		secretValue = "sk_live_plaintext_marker_9f3b2a7d"
	)
	mustCreateApp(t, db, "visible-app-name")
	for range 3 { // several versions, so pages are written more than once
		require.NoError(t, db.CreateConfigVersion(ctx, &engine.ConfigVersion{
			App: "visible-app-name", Vars: map[string]string{secretKey: secretValue, "OTHER": "x"},
		}))
	}
	var busy, logFrames, checkpointed int
	require.NoError(t, db.sql.QueryRowContext(ctx, `PRAGMA wal_checkpoint(FULL)`).Scan(&busy, &logFrames, &checkpointed))
	require.Zero(t, busy)

	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		all = append(all, b...)
	}
	require.True(t, bytes.Contains(all, []byte("visible-app-name")), "positive control: the files hold the data")
	assert.False(t, bytes.Contains(all, []byte(secretValue)), "a config value is in the database file in plaintext")
	assert.False(t, bytes.Contains(all, []byte(secretKey)), "a config key is in the database file in plaintext")
}
