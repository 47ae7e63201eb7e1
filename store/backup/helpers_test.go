package backup

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

// realDataDir makes a data dir with a real database of instance, holding
// apps, its key, a certificate and a repository.
func realDataDir(t *testing.T, instance string, apps ...string) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	key, err := store.LoadOrCreateKey(filepath.Join(dir, "secret.key"))
	require.NoError(t, err)
	db, err := store.Open(ctx, filepath.Join(dir, "quayside.db"), key)
	require.NoError(t, err)
	require.NoError(t, db.SetSetting(ctx, "instance_id", instance))
	for _, a := range apps {
		require.NoError(t, db.CreateApp(ctx, &engine.App{Name: a}))
	}
	require.NoError(t, db.Close())
	for name, content := range map[string]string{
		"certs/local-ca/root.pem":        "PEM",
		"repos/shop.git/HEAD":            "ref: refs/heads/main\n",
		"repos/shop.git/objects/3f/2a":   "object",
		"repos/shop.git/refs/heads/main": "3f2a\n",
		"logs/shop/0001.log":             "not backed up",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	}
	return dir
}

// create backs data up into a file and returns its path.
func create(t *testing.T, b *Backup) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "backup.tar.gz")
	_, _, err := b.Create(context.Background(), file)
	require.NoError(t, err)
	return file
}

// restoreFile restores file into data with r's settings.
func restoreFile(t *testing.T, r *Restore, file string) (*Result, error) {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	if r.Limits == (Limits{}) {
		r.Limits = DefaultLimits
	}
	if r.Version == "" {
		r.Version = "test"
	}
	return r.Run(context.Background(), bytes.NewReader(b))
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
