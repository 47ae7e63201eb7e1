package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCredentialsAreKeptForTheUserOnly(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	want := &Credentials{URL: "https://quayside.example.com", Token: "qs_secret", User: "ann@example.com"}
	p, err := SaveCredentials(want)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "quayside", "credentials.json"), p)
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
	st, err = os.Stat(filepath.Dir(p))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), st.Mode().Perm())
	got, err := LoadCredentials()
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, RemoveCredentials())
	_, err = LoadCredentials()
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NoError(t, RemoveCredentials(), "nothing saved is no error")
}

func TestUnreadableCredentialsSayToLogInAgain(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p, err := CredentialsPath()
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
	require.NoError(t, os.WriteFile(p, []byte("{not json"), 0o600))
	_, err = LoadCredentials()
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "run `quayside login URL` again")
}
