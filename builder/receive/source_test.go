package receive

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// sourceRepo makes a bare repository holding one commit and returns its
// directory and the commit.
func sourceRepo(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	bare := filepath.Join(dir, "repo.git")
	require.NoError(t, os.MkdirAll(filepath.Join(work, "sub"), 0o755))
	files := map[string]string{"Dockerfile": "FROM scratch\n", "sub/a.txt": "a\n", "odd name*.txt": "star\n"}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(work, name), []byte(content), 0o644))
	}
	require.NoError(t, os.Symlink("Dockerfile", filepath.Join(work, "link")))
	run := func(dir string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = gitEnv("GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return strings.TrimSpace(string(out))
	}
	run(work, "init", "--quiet", "--initial-branch=main")
	run(work, "add", "-A")
	run(work, "commit", "--quiet", "-m", "one")
	run(dir, "clone", "--quiet", "--bare", work, bare)
	return bare, run(work, "rev-parse", "HEAD")
}

func TestSource(t *testing.T) {
	t.Parallel()
	gitDir, commit := sourceRepo(t)
	src, err := NewSource(gitDir, commit, nil)
	require.NoError(t, err)
	ctx := context.Background()

	t.Run("archive", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, src.Archive(ctx, &buf))
		assert.Equal(t, map[string]string{"Dockerfile": "FROM scratch\n", "sub/a.txt": "a\n", "odd name*.txt": "star\n"}, untar(t, &buf))
	})

	t.Run("read files", func(t *testing.T) {
		for name, want := range map[string]string{"Dockerfile": "FROM scratch\n", "sub/a.txt": "a\n", "./sub/a.txt": "a\n", "odd name*.txt": "star\n"} {
			got, err := src.ReadFile(ctx, name)
			require.NoError(t, err, name)
			assert.Equal(t, want, string(got), name)
		}
	})

	t.Run("not regular files", func(t *testing.T) {
		for _, name := range []string{"missing", "sub", "link", "sub/missing", "Dockerfile/x", "odd*"} {
			_, err := src.ReadFile(ctx, name)
			assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), name)
		}
		_, err := src.ReadFile(ctx, "missing")
		assert.EqualError(t, err, "missing does not exist in commit "+commit[:7])
	})

	t.Run("bad paths", func(t *testing.T) {
		for _, name := range []string{"", "/etc/passwd", "../repo.git/config", "sub/../../x"} {
			_, err := src.ReadFile(ctx, name)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), name)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, src.Archive(cctx, &bytes.Buffer{}), context.Canceled)
		_, err := src.ReadFile(cctx, "Dockerfile")
		assert.ErrorIs(t, err, context.Canceled)
	})

	t.Run("a commit that is not there", func(t *testing.T) {
		missing, err := NewSource(gitDir, strings.Repeat("1", 40), nil)
		require.NoError(t, err)
		err = missing.Archive(ctx, &bytes.Buffer{})
		assert.Error(t, err)
		assert.Equal(t, engine.EINTERNAL, engine.ErrorCode(err))
	})

	t.Run("only full object names", func(t *testing.T) {
		for _, c := range []string{"", "HEAD", commit[:7], "--output=/tmp/x", strings.ToUpper(commit)} {
			_, err := NewSource(gitDir, c, nil)
			assert.Error(t, err, c)
		}
	})
}
