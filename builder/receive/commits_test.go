package receive

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// historyRepo makes a bare repository with a merge: one, then two and
// three on two branches, merged; each commit dated an hour after the last,
// authored a day before it was committed.
func historyRepo(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "repo.git")
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	n := 0
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		when := base.Add(time.Duration(n) * time.Hour)
		cmd.Env = gitEnv("GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b",
			"GIT_COMMITTER_DATE="+when.Format(time.RFC3339), "GIT_AUTHOR_DATE="+when.Add(-24*time.Hour).Format(time.RFC3339))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
		return strings.TrimSpace(string(out))
	}
	require.NoError(t, exec.Command("git", "init", "--quiet", "--initial-branch=main", work).Run())
	ids := map[string]string{}
	commit := func(name string) {
		n++
		run("commit", "--quiet", "--allow-empty", "-m", name)
		ids[name] = run("rev-parse", "HEAD")
	}
	commit("one")
	run("checkout", "--quiet", "-b", "side")
	commit("two")
	run("checkout", "--quiet", "main")
	commit("three")
	n++
	run("merge", "--quiet", "--no-ff", "-m", "merge", "side")
	ids["merge"] = run("rev-parse", "HEAD")
	out, err := exec.Command("git", "clone", "--quiet", "--bare", work, bare).CombinedOutput()
	require.NoError(t, err, string(out))
	return bare, ids
}

func TestSourceCommits(t *testing.T) {
	t.Parallel()
	gitDir, ids := historyRepo(t)
	src, err := NewSource(gitDir, ids["merge"], nil)
	require.NoError(t, err)
	ctx := context.Background()
	shas := func(cs []engine.Commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.SHA)
		}
		return out
	}

	cs, err := src.Commits(ctx, []string{ids["one"]}, 100)
	require.NoError(t, err)
	assert.Equal(t, []string{ids["merge"], ids["three"], ids["two"]}, shas(cs), "one..merge, newest first, the merge included")
	assert.Equal(t, 2, cs[0].Parents)
	assert.Equal(t, time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC), cs[0].Committed)
	assert.Equal(t, time.Date(2026, 2, 28, 14, 0, 0, 0, time.UTC), cs[0].Authored)

	cs, err = src.Commits(ctx, nil, 2)
	require.NoError(t, err)
	assert.Len(t, cs, 2, "the limit caps the list")
	cs, err = src.Commits(ctx, []string{ids["merge"]}, 10)
	require.NoError(t, err)
	assert.Empty(t, cs, "nothing new when the same commit is pushed again")
	cs, err = src.Commits(ctx, []string{ids["three"], ids["two"]}, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{ids["merge"]}, shas(cs), "reachable from neither exclusion")
	cs, err = src.Commits(ctx, []string{strings.Repeat("1", 40), ids["two"]}, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{ids["merge"], ids["three"]}, shas(cs), "a missing exclusion is ignored")

	for _, bad := range []string{strings.Repeat("1", 40), "--output=/tmp/x", "HEAD"} {
		_, err := src.Commits(ctx, []string{bad}, 10)
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "exclude %q", bad)
	}
}
