package backup

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackupHoldsTheNewestDumpOfEachAddon(t *testing.T) {
	data := realDataDir(t, "inst1", "shop")
	dumps := map[string]string{
		"addons/shop/db/20260101T030000.000Z-daily.dump":     "old",
		"addons/shop/db/20260102T030000.000Z-daily.dump":     "newest db",
		"addons/shop/db/.partial-123":                        "half",
		"addons/shop/redis/20260101T120000.000Z-manual.dump": "newest redis",
	}
	for name, body := range dumps {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(data, name)), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(data, name), []byte(body), 0o600))
	}
	file := create(t, &Backup{Data: data, Version: "v9"})
	target := t.TempDir()
	_, err := restoreFile(t, &Restore{Data: target}, file)
	require.NoError(t, err)
	for name, body := range dumps {
		got, err := os.ReadFile(filepath.Join(target, name))
		if body == "newest db" || body == "newest redis" {
			require.NoError(t, err, name)
			assert.Equal(t, body, string(got))
			continue
		}
		assert.ErrorIs(t, err, os.ErrNotExist, "%s is not in the backup", name)
	}
}
