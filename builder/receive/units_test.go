package receive

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		args     []string
		want     command
		wantCode string
	}{
		{"", nil, command{shell: true}, ""},
		{"git-receive-pack '/myapp.git'", []string{"git-receive-pack", "/myapp.git"}, command{app: "myapp"}, ""},
		{"git-receive-pack 'myapp.git'", []string{"git-receive-pack", "myapp.git"}, command{app: "myapp"}, ""},
		{"git-receive-pack myapp", []string{"git-receive-pack", "myapp"}, command{app: "myapp"}, ""},
		{"git receive-pack '/myapp.git'", []string{"git", "receive-pack", "/myapp.git"}, command{app: "myapp"}, ""},
		{"git-receive-pack ''", []string{"git-receive-pack"}, command{}, engine.EINVALID},
		{"git-receive-pack a b", []string{"git-receive-pack", "a", "b"}, command{}, engine.EINVALID},
		{"git-upload-pack 'x'", []string{"git-upload-pack", "x"}, command{}, engine.ENOTIMPLEMENTED},
		{"git upload-pack 'x'", []string{"git", "upload-pack", "x"}, command{}, engine.ENOTIMPLEMENTED},
		{"sh", []string{"sh"}, command{}, engine.ENOTIMPLEMENTED},
		{"git", []string{"git"}, command{}, engine.ENOTIMPLEMENTED},
		{"'unbalanced", nil, command{}, engine.ENOTIMPLEMENTED},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := parseCommand(tt.raw, tt.args)
			assert.Equal(t, tt.wantCode, engine.ErrorCode(err))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRepoPath(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"myapp": "myapp", "/myapp": "myapp", "myapp.git": "myapp", "/myapp.git": "myapp",
		"My_App": "My_App", // the Deployer judges app names
	}
	for in, want := range good {
		got, err := parseRepoPath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", "/", ".git", "/.git", "..", "../x", "a/b", "/a/b.git", "//x", `a\b`, ".hidden",
		"~/x", "x\x00y", "x\ny", strings.Repeat("a", 101),
	} {
		_, err := parseRepoPath(in)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%q", in)
	}
}

func TestBranchUpdate(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("a", 40)
	b := strings.Repeat("b", 40)
	sha256 := strings.Repeat("c", 64)
	tests := []struct {
		name    string
		refs    []refUpdate
		wantErr string
	}{
		{"branch", []refUpdate{{a, b, "refs/heads/main"}}, ""},
		{"new branch", []refUpdate{{zeroID, b, "refs/heads/feature/x"}}, ""},
		{"sha256", []refUpdate{{strings.Repeat("0", 64), sha256, "refs/heads/main"}}, ""},
		{"none", nil, "updates no branch"},
		{"two", []refUpdate{{a, b, "refs/heads/main"}, {a, b, "refs/heads/x"}}, "push one branch at a time: this push updates 2 refs (refs/heads/main, refs/heads/x)"},
		{"tag", []refUpdate{{zeroID, b, "refs/tags/v1"}}, "tags are not deployed"},
		{"notes", []refUpdate{{zeroID, b, "refs/notes/commits"}}, "refs/notes/commits is not a branch"},
		{"bare heads", []refUpdate{{zeroID, b, "refs/heads/"}}, "is not a branch"},
		{"deletion", []refUpdate{{a, zeroID, "refs/heads/feature/x"}}, ""},
		{"neither creation nor deletion", []refUpdate{{zeroID, zeroID, "refs/heads/main"}}, "neither creates nor deletes"},
		{"bad id", []refUpdate{{a, "xyz", "refs/heads/main"}}, "malformed ref update"},
		{"uppercase id", []refUpdate{{a, strings.Repeat("B", 40), "refs/heads/main"}}, "malformed ref update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := branchUpdate(tt.refs)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.refs[0], got)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestParsePushOptions(t *testing.T) {
	t.Parallel()
	got, err := parsePushOptions([]string{"clear-cache", "a=b=c", "a=d", "empty="})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"clear-cache": "", "a": "d", "empty": ""}, got)

	got, err = parsePushOptions(nil)
	require.NoError(t, err)
	assert.Empty(t, got)

	for _, bad := range [][]string{
		{"=value"}, {""}, {strings.Repeat("x", maxPushOptionLen+1)}, make([]string, maxPushOptions+1),
	} {
		_, err := parsePushOptions(bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	}
}

func TestPushOptionsFromEnv(t *testing.T) {
	t.Parallel()
	got, err := pushOptionsFromEnv(map[string]string{
		"GIT_PUSH_OPTION_COUNT": "2", "GIT_PUSH_OPTION_0": "a=1", "GIT_PUSH_OPTION_1": "b",
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a=1", "b"}, got)
	got, err = pushOptionsFromEnv(map[string]string{})
	require.NoError(t, err)
	assert.Nil(t, got)
	_, err = pushOptionsFromEnv(map[string]string{"GIT_PUSH_OPTION_COUNT": "1000"})
	assert.Error(t, err)
	_, err = pushOptionsFromEnv(map[string]string{"GIT_PUSH_OPTION_COUNT": "x"})
	assert.Error(t, err)
}

func TestCleanTreePath(t *testing.T) {
	t.Parallel()
	good := map[string]string{"Dockerfile": "Dockerfile", "a/b.txt": "a/b.txt", "./a//b/": "a/b", "a/./b": "a/b"}
	for in, want := range good {
		got, err := cleanTreePath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", ".", "/etc/passwd", "..", "../x", "a/../b", "a/..", "x\x00"} {
		_, err := cleanTreePath(in)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%q", in)
	}
}

func TestHookScript(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	socket := filepath.Join(dir, "it's a socket")
	script := filepath.Join(dir, "pre-receive")
	argv := []string{"/bin/sh", "-c", `printf '%s|' "$QUAYSIDE_HOOK_SOCKET" "$@" > "$0"`, out, "a b", `it's`, `$HOME`, "`x`", `"q"`}
	require.NoError(t, os.WriteFile(script, hookScript(socket, argv), 0o755))
	require.NoError(t, exec.Command(script).Run())
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, socket+"|a b|it's|$HOME|`x`|\"q\"|", string(got))
}

func TestQuarantineEnv(t *testing.T) {
	t.Parallel()
	gitDir := t.TempDir()
	objects := filepath.Join(gitDir, "objects")
	q := filepath.Join(objects, "tmp_objdir-incoming-abc")
	require.NoError(t, os.MkdirAll(q, 0o755))
	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(objects, "tmp_objdir-incoming-link")))

	env, err := quarantineEnv(gitDir, quarantine{Path: gitDir + "/./objects/tmp_objdir-incoming-abc", ObjectDir: q, Alternates: "/anything"})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GIT_QUARANTINE_PATH=" + q, "GIT_OBJECT_DIRECTORY=" + q, "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + objects,
	}, env, "the alternates are the repository's own, whatever the hook says")

	env, err = quarantineEnv(gitDir, quarantine{})
	require.NoError(t, err)
	assert.Nil(t, env)

	for name, bad := range map[string]quarantine{
		"relative":        {Path: "objects/tmp_objdir-incoming-abc", ObjectDir: "objects/tmp_objdir-incoming-abc"},
		"elsewhere":       {Path: filepath.Join(outside, "tmp_objdir-x"), ObjectDir: filepath.Join(outside, "tmp_objdir-x")},
		"not git's name":  {Path: objects, ObjectDir: objects},
		"mismatch":        {Path: q, ObjectDir: objects},
		"symlink":         {Path: filepath.Join(objects, "tmp_objdir-incoming-link"), ObjectDir: filepath.Join(objects, "tmp_objdir-incoming-link")},
		"missing":         {Path: filepath.Join(objects, "tmp_objdir-gone"), ObjectDir: filepath.Join(objects, "tmp_objdir-gone")},
		"escape with dot": {Path: q + "/../../../x/tmp_objdir-a", ObjectDir: q + "/../../../x/tmp_objdir-a"},
	} {
		_, err := quarantineEnv(gitDir, bad)
		assert.Error(t, err, name)
	}
}

func TestKeyedMutex(t *testing.T) {
	t.Parallel()
	k := newKeyedMutex()
	unlock, err := k.lock(context.Background(), "a", nil)
	require.NoError(t, err)

	other, err := k.lock(context.Background(), "b", func() { t.Error("b must not wait for a") })
	require.NoError(t, err)
	other()

	waited := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = k.lock(ctx, "a", func() { close(waited) })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	waitFor(t, waited, "onWait called")

	got := make(chan func(), 1)
	go func() {
		u, err := k.lock(context.Background(), "a", nil)
		assert.NoError(t, err)
		got <- u
	}()
	unlock()
	select {
	case u := <-got:
		u()
	case <-time.After(10 * time.Second):
		t.Fatal("waiter did not get the lock")
	}
	assert.Empty(t, k.m, "entries go when nobody holds or waits")
}

func TestFrames(t *testing.T) {
	t.Parallel()
	client, server := net.Pipe()
	w := &frameWriter{conn: server}
	big := strings.Repeat("x", 3*maxOutputChunk+5)
	go func() {
		n, err := w.Write([]byte(big))
		assert.NoError(t, err)
		assert.Equal(t, len(big), n)
		assert.NoError(t, w.exit(3))
	}()
	var out strings.Builder
	code, err := relayFrames(bufio.NewReader(client), &out)
	require.NoError(t, err)
	assert.Equal(t, 3, code)
	assert.Equal(t, big, out.String())

	failed := make(chan struct{})
	w2 := &frameWriter{conn: server, onFail: func() { close(failed) }}
	client.Close()
	server.Close()
	_, err = w2.Write([]byte("x"))
	assert.Error(t, err)
	waitFor(t, failed, "onFail called")
	_, err = w2.Write([]byte("y"))
	assert.Error(t, err, "later writes fail too")
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	r := bufio.NewReaderSize(strings.NewReader(strings.Repeat("a", 100)+"\nshort\n"+strings.Repeat("b", 200)+"\n"), 16)
	line, err := readLine(r, 150)
	require.NoError(t, err)
	assert.Len(t, line, 100)
	line, err = readLine(r, 150)
	require.NoError(t, err)
	assert.Equal(t, "short", string(line))
	_, err = readLine(r, 150)
	assert.ErrorContains(t, err, "line too long")
}

func TestRemoveRepository(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	out, err := h.push("myapp", "main")
	require.NoError(t, err, out)
	dir := filepath.Join(h.cfg.ReposDir, "myapp.git")
	require.DirExists(t, dir)

	require.NoError(t, h.srv.RemoveRepository(context.Background(), "myapp"))
	assert.NoDirExists(t, dir)
	require.NoError(t, h.srv.RemoveRepository(context.Background(), "myapp"), "a missing repository is fine")

	for _, bad := range []string{"", "..", "../repos", "a/b", "x.git", ".hidden"} {
		err := h.srv.RemoveRepository(context.Background(), bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%q", bad)
	}
	assert.DirExists(t, h.cfg.ReposDir)
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	_, err := New(Config{})
	assert.Error(t, err)
	dir := t.TempDir()
	base := Config{ReposDir: dir, HostKeyPath: filepath.Join(dir, "k"), HookSocket: filepath.Join(dir, "s"),
		HookCommand: []string{"true"}, Keys: &fakeKeys{}, Deployer: &fakeDeployer{}}
	bad := base
	bad.Deployer = nil
	_, err = New(bad)
	assert.Error(t, err)
	bad = base
	bad.MaxPushBytes = -1
	_, err = New(bad)
	assert.Error(t, err)
	srv, err := New(base)
	require.NoError(t, err)
	assert.Equal(t, int64(DefaultMaxPushBytes), srv.cfg.MaxPushBytes)
	assert.Equal(t, DefaultPushTimeout, srv.cfg.PushTimeout)
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "Close is idempotent")
}

func TestListenHookSocket(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	fi, err := os.Stat(h.cfg.HookSocket)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A second server on the same socket refuses to steal it.
	cfg := h.cfg
	cfg.HostKeyPath = filepath.Join(t.TempDir(), "k")
	srv, err := New(cfg)
	require.NoError(t, err)
	defer srv.Close()
	_, err = srv.ListenHookSocket()
	assert.ErrorContains(t, err, "in use")

	// A regular file is not replaced.
	cfg.HookSocket = filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(cfg.HookSocket, nil, 0o600))
	srv2, err := New(cfg)
	require.NoError(t, err)
	defer srv2.Close()
	_, err = srv2.ListenHookSocket()
	assert.ErrorContains(t, err, "not a socket")
	assert.FileExists(t, cfg.HookSocket)
}

func TestKeyedMutexNewerWaiterReplacesQueuedOne(t *testing.T) {
	t.Parallel()
	k := newKeyedMutex()
	unlock, err := k.lock(context.Background(), "a", nil)
	require.NoError(t, err)

	firstErr := make(chan error, 1)
	queued := make(chan struct{})
	go func() {
		u, err := k.lock(context.Background(), "a", func() { close(queued) })
		if u != nil {
			u()
		}
		firstErr <- err
	}()
	waitFor(t, queued, "the first waiter to queue")
	require.Eventually(t, func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.m["a"].waiter != nil
	}, 10*time.Second, time.Millisecond)
	second := make(chan func(), 1)
	go func() {
		u, err := k.lock(context.Background(), "a", nil)
		assert.NoError(t, err)
		second <- u
	}()
	select {
	case err := <-firstErr:
		assert.ErrorIs(t, err, errSuperseded)
	case <-time.After(10 * time.Second):
		t.Fatal("the queued waiter was not replaced")
	}
	unlock()
	select {
	case u := <-second:
		u()
	case <-time.After(10 * time.Second):
		t.Fatal("the newer waiter did not get the lock")
	}
	assert.Empty(t, k.m)
}

// TestRepositoriesOpenedFirst wires the repositories as cmd does: opened
// before the Deployer and the Server, and shared by both. A push lands in
// them, and removing through them (the engine's side) removes what the
// push made.
func TestRepositoriesOpenedFirst(t *testing.T) {
	t.Parallel()
	var repos *Repositories
	h := newHarness(t, func(c *Config) {
		var err error
		repos, err = OpenRepositories(*c)
		require.NoError(t, err)
		c.Repos = repos
	})
	out, err := h.push("myapp", "main")
	require.NoError(t, err, out)
	dir := filepath.Join(h.cfg.ReposDir, "myapp.git")
	require.DirExists(t, dir)
	require.NoError(t, repos.RemoveRepository(context.Background(), "myapp"))
	assert.NoDirExists(t, dir)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(repos.RemoveRepository(context.Background(), "../repos")))

	_, err = OpenRepositories(Config{ReposDir: t.TempDir()})
	assert.ErrorContains(t, err, "HookSocket and HookCommand are required")
}
