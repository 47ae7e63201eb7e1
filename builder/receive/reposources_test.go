package receive

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRepoSources(t *testing.T) {
	bare, commit := sourceRepo(t)
	s := RepoSources{Dir: filepath.Dir(bare)}
	app := strings.TrimSuffix(filepath.Base(bare), ".git")

	src, err := s.OpenSource(t.Context(), app, commit)
	require.NoError(t, err)
	b, err := src.ReadFile(t.Context(), "Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, "FROM scratch\n", string(b))

	for name, tc := range map[string]struct {
		app, commit string
		code        string
	}{
		"an app name with a path":     {"../" + app, commit, engine.EINVALID},
		"a hidden app name":           {".x", commit, engine.EINVALID},
		"no app name":                 {"", commit, engine.EINVALID},
		"a short commit":              {app, commit[:7], engine.EINVALID},
		"a commit it does not have":   {app, strings.Repeat("a", 40), engine.ENOTFOUND},
		"an app without a repository": {"other", commit, engine.ENOTFOUND},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.OpenSource(t.Context(), tc.app, tc.commit)
			assert.Equal(t, tc.code, engine.ErrorCode(err), "err: %v", err)
		})
	}
}
