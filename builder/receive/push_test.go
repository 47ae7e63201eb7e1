package receive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/syncbuf"
)

const zeroID = "0000000000000000000000000000000000000000"

func TestPush(t *testing.T) {
	t.Parallel()

	t.Run("push deploys and the ref moves", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(c *Config) { c.MaxPushBytes = 5 << 20 })
		head := h.mustGit("rev-parse", "HEAD")

		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
		assert.Contains(t, out, "remote: Deployed "+head[:7])
		assert.Equal(t, head, h.remoteRef("myapp", "refs/heads/main"))

		reqs := h.deployer.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "myapp", reqs[0].App)
		assert.Equal(t, "refs/heads/main", reqs[0].Ref)
		assert.Equal(t, zeroID, reqs[0].OldCommit)
		assert.Equal(t, head, reqs[0].NewCommit)
		assert.Equal(t, "alice", reqs[0].Author)
		assert.Empty(t, reqs[0].Options)
		assert.Equal(t, []string{"myapp by alice"}, h.deployer.prepared)

		gitDir := filepath.Join(h.cfg.ReposDir, "myapp.git")
		for key, want := range map[string]string{
			"receive.denyDeletes": "false", "receive.advertisePushOptions": "true",
			"receive.fsckObjects": "true", "receive.maxInputSize": "5242880",
		} {
			got, err := exec.Command("git", "config", "--file", filepath.Join(gitDir, "config"), key).Output()
			require.NoError(t, err, key)
			assert.Equal(t, want, strings.TrimSpace(string(got)), key)
		}
		fi, err := os.Stat(filepath.Join(gitDir, "hooks", "pre-receive"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())

		next := h.commit(map[string]string{"app/hello.txt": "hello again\n"})
		out, err = h.push("myapp", "main")
		require.NoError(t, err, out)
		assert.Equal(t, next, h.remoteRef("myapp", "refs/heads/main"))
		reqs = h.deployer.requests()
		require.Len(t, reqs, 2)
		assert.Equal(t, head, reqs[1].OldCommit, "the second push names the first as old")
	})

	t.Run("ssh URL with a leading slash", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.git("push", "ssh://git@127.0.0.1/web.git", "main")
		require.NoError(t, err, out)
		assert.Equal(t, h.mustGit("rev-parse", "HEAD"), h.remoteRef("web", "refs/heads/main"))
	})

	t.Run("deployer error rejects the push and the ref does not move", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.deployer.setOnPush(func(context.Context, engine.PushRequest) (*engine.Release, error) {
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "build failed: step 2/3 exited with status 1")
		})
		out, err := h.push("myapp", "main")
		require.Error(t, err)
		assert.Contains(t, out, "remote: ! Push rejected: build failed: step 2/3 exited with status 1")
		assert.Contains(t, out, "pre-receive hook declined")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("internal errors do not leak", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.deployer.setOnPush(func(context.Context, engine.PushRequest) (*engine.Release, error) {
			return nil, errors.New("open /var/lib/quayside/secret.db: permission denied")
		})
		out, err := h.push("myapp", "main")
		require.Error(t, err)
		assert.Contains(t, out, "remote: ! Push rejected: Internal error.")
		assert.NotContains(t, out, "secret.db")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("output is streamed as it is written", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		seen := make(chan struct{})
		var seenBeforeSecond atomic.Bool
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			fmt.Fprintln(req.Output, "step one")
			select {
			case <-seen:
				seenBeforeSecond.Store(true)
			case <-time.After(20 * time.Second):
			case <-ctx.Done():
			}
			fmt.Fprintln(req.Output, "step two")
			return &engine.Release{Number: 1}, nil
		})
		cmd := h.gitCmd("push", h.remote("myapp"), "main")
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		var out strings.Builder
		sc := bufio.NewScanner(stderr)
		sc.Split(scanLinesOrCR)
		var once sync.Once
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "remote: step one") {
				once.Do(func() { close(seen) })
			}
		}
		require.NoError(t, cmd.Wait(), out.String())
		assert.True(t, seenBeforeSecond.Load(), "the first line reached the pusher before the second was written:\n%s", out.String())
		assert.Regexp(t, `(?s)remote: step one.*remote: step two`, out.String())
	})

	t.Run("the source reads the pushed commit from quarantine", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		type result struct {
			files                       map[string]string
			dockerfile                  string
			missingCode, dirCode, upErr string
			inRepo                      bool
		}
		got := make(chan result, 1)
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			var r result
			var buf bytes.Buffer
			if err := req.Source.Archive(ctx, &buf); err != nil {
				return nil, err
			}
			r.files = untar(t, &buf)
			b, err := req.Source.ReadFile(ctx, "Dockerfile")
			if err != nil {
				return nil, err
			}
			r.dockerfile = string(b)
			_, err = req.Source.ReadFile(ctx, "missing.txt")
			r.missingCode = engine.ErrorCode(err)
			_, err = req.Source.ReadFile(ctx, "app")
			r.dirCode = engine.ErrorCode(err)
			_, err = req.Source.ReadFile(ctx, "../config")
			r.upErr = engine.ErrorCode(err)
			// The objects are still quarantined: the repository itself
			// does not have the commit yet.
			r.inRepo = h.remoteRef("myapp", req.NewCommit+"^{commit}") != ""
			got <- r
			return &engine.Release{Number: 1}, nil
		})
		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
		r := <-got
		assert.Equal(t, map[string]string{"Dockerfile": "FROM scratch\n", "app/hello.txt": "hello\n"}, r.files)
		assert.Equal(t, "FROM scratch\n", r.dockerfile)
		assert.Equal(t, engine.ENOTFOUND, r.missingCode)
		assert.Equal(t, engine.ENOTFOUND, r.dirCode)
		assert.Equal(t, engine.EINVALID, r.upErr)
		assert.False(t, r.inRepo, "the pushed commit is only in quarantine during the hook")
	})

	t.Run("push options reach the deployer", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.push("myapp", "-o", "clear-cache", "-o", "note=hello world", "main")
		require.NoError(t, err, out)
		reqs := h.deployer.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, map[string]string{"clear-cache": "", "note": "hello world"}, reqs[0].Options)
	})

	t.Run("prepare refusal stops the push before git runs", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.deployer.setPrepareErr(engine.FieldError("name", `app name "Bad" is not valid: use lowercase letters`))
		out, err := h.push("Bad", "main")
		require.Error(t, err)
		assert.Contains(t, out, `! Push rejected: app name "Bad" is not valid: use lowercase letters`)
		assert.NoDirExists(t, filepath.Join(h.cfg.ReposDir, "Bad.git"))
		assert.Empty(t, h.deployer.requests())
	})

	t.Run("two refs in one push are refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.mustGit("branch", "other")
		out, err := h.push("myapp", "main", "other")
		require.Error(t, err)
		assert.Contains(t, out, "push one branch at a time")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/other"))
		assert.Empty(t, h.deployer.requests())
	})

	t.Run("tags are refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.mustGit("tag", "v1")
		out, err := h.push("myapp", "v1")
		require.Error(t, err)
		assert.Contains(t, out, "tags are not deployed")
		assert.Empty(t, h.remoteRef("myapp", "refs/tags/v1"))
	})

	t.Run("refs outside refs/heads are refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.push("myapp", "main:refs/notes/x")
		require.Error(t, err)
		assert.Contains(t, out, "refs/notes/x is not a branch")
		assert.Empty(t, h.remoteRef("myapp", "refs/notes/x"))
	})

	t.Run("deleting the deploy branch is refused by the deployer", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
		out, err = h.push("myapp", ":main")
		require.Error(t, err)
		assert.Contains(t, out, "remote: ! Push rejected: main is the deploy branch of myapp and cannot be deleted")
		assert.Equal(t, h.mustGit("rev-parse", "HEAD"), h.remoteRef("myapp", "refs/heads/main"))
		assert.Len(t, h.deployer.requests(), 1)
		assert.Empty(t, h.deployer.deletes())
	})

	t.Run("deleting another branch reaches the deployer and the ref goes", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.push("myapp", "main:feature/x")
		require.NoError(t, err, out)
		require.NotEmpty(t, h.remoteRef("myapp", "refs/heads/feature/x"))
		out, err = h.push("myapp", ":feature/x")
		require.NoError(t, err, out)
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/feature/x"))
		assert.Equal(t, []string{"myapp refs/heads/feature/x"}, h.deployer.deletes())
	})

	t.Run("a push over MaxPushBytes is refused", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(c *Config) { c.MaxPushBytes = 64 << 10 })
		noise := make([]byte, 256<<10)
		_, _ = rand.Read(noise)
		h.commit(map[string]string{"big.bin": string(noise)})
		out, err := h.push("myapp", "main")
		require.Error(t, err)
		assert.Contains(t, out, "pack exceeds maximum allowed size")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
		assert.Empty(t, h.deployer.requests())
	})

	t.Run("pushes to one app run one at a time", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		release := make(chan struct{})
		var running, maxRunning atomic.Int32
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			n := running.Add(1)
			defer running.Add(-1)
			if n > maxRunning.Load() {
				maxRunning.Store(n)
			}
			if req.Ref == "refs/heads/main" {
				<-release
			}
			return &engine.Release{Number: 1}, nil
		})
		first := make(chan error, 1)
		go func() { _, err := h.push("myapp", "main"); first <- err }()
		eventually(t, func() bool { return len(h.deployer.requests()) == 1 }, "first push reaches the deployer")

		cmd := h.gitCmd("push", h.remote("myapp"), "main:refs/heads/feature")
		var out syncbuf.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		eventually(t, func() bool { return strings.Contains(out.String(), "Another push to myapp is in progress") },
			"second push waits")
		assert.Len(t, h.deployer.requests(), 1)
		close(release)
		require.NoError(t, <-first)
		require.NoError(t, cmd.Wait(), out.String())
		assert.Len(t, h.deployer.requests(), 2)
		assert.Equal(t, int32(1), maxRunning.Load())
		assert.NotEmpty(t, h.remoteRef("myapp", "refs/heads/feature"))
	})

	t.Run("Close cancels a push in flight", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		started := make(chan struct{})
		deployErr := make(chan error, 1)
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			fmt.Fprintln(req.Output, "building...")
			close(started)
			<-ctx.Done()
			deployErr <- ctx.Err()
			return nil, engine.Errorf(engine.EDEPLOYFAILED, "deploy canceled")
		})
		pushed := make(chan error, 1)
		go func() { _, err := h.push("myapp", "main"); pushed <- err }()
		waitFor(t, started, "deploy starts")

		closed := make(chan error, 1)
		go func() { closed <- h.srv.Close() }()
		assert.ErrorIs(t, recvErr(t, deployErr), context.Canceled)
		require.NoError(t, recvErr(t, closed))
		assert.Error(t, recvErr(t, pushed))
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
	})

	t.Run("the pusher going away cancels the deploy", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		started := make(chan struct{}, 1)
		deployErr := make(chan error, 1)
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			started <- struct{}{}
			<-ctx.Done()
			deployErr <- ctx.Err()
			return nil, ctx.Err()
		})
		cmd := h.gitCmd("push", h.remote("myapp"), "main")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		require.NoError(t, cmd.Start())
		waitFor(t, started, "deploy starts")
		require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)) // git and its ssh
		_ = cmd.Wait()
		assert.ErrorIs(t, recvErr(t, deployErr), context.Canceled)

		// The app is free again and nothing moved.
		h.deployer.setOnPush(nil)
		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
		assert.Contains(t, out, "remote: Deployed")
		assert.Equal(t, zeroID, h.deployer.requests()[1].OldCommit, "the aborted push moved no ref")
	})
}

// untar returns the regular files of a tar stream.
func untar(t *testing.T, r io.Reader) map[string]string {
	files := map[string]string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		require.NoError(t, err)
		if hdr.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[hdr.Name] = string(b)
		}
	}
}

// scanLinesOrCR splits on \n and \r, as git's progress output does.
func scanLinesOrCR(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting: %s", what)
	}
}

func recvErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for a result")
		return nil
	}
}

func TestPushEdgeCases(t *testing.T) {
	t.Parallel()

	t.Run("a push without new objects has a readable source", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		out, err := h.push("myapp", "main")
		require.NoError(t, err, out)
		read := make(chan string, 1)
		h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
			b, err := req.Source.ReadFile(ctx, "app/hello.txt")
			read <- string(b)
			return &engine.Release{Number: 2}, err
		})
		out, err = h.push("myapp", "main:refs/heads/staging")
		require.NoError(t, err, out)
		assert.Equal(t, "hello\n", <-read)
	})

	t.Run("a tree with a .git entry is refused by fsck", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		blob := h.gitStdin("evil\n", "hash-object", "-w", "--stdin")
		sub := h.gitStdin("100644 blob "+blob+"\tconfig\n", "mktree")
		tree := h.gitStdin("040000 tree "+sub+"\t.git\n", "mktree")
		commit := h.mustGit("commit-tree", tree, "-m", "evil")
		out, err := h.push("myapp", commit+":refs/heads/main")
		require.Error(t, err)
		assert.Contains(t, out, "hasDotgit")
		assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
		assert.Empty(t, h.deployer.requests())
	})
}

func TestPushTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.PushTimeout = 2 * time.Second })
	deployErr := make(chan error, 1)
	h.deployer.setOnPush(func(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
		<-ctx.Done()
		deployErr <- ctx.Err()
		return nil, ctx.Err()
	})
	out, err := h.push("myapp", "main")
	require.Error(t, err)
	assert.ErrorIs(t, recvErr(t, deployErr), context.DeadlineExceeded)
	assert.Contains(t, out, "! Push timed out after 2s.")
	assert.Empty(t, h.remoteRef("myapp", "refs/heads/main"))
}

// gitStdin runs git in the work tree with stdin and returns its output.
func (h *harness) gitStdin(stdin string, args ...string) string {
	h.t.Helper()
	cmd := h.gitCmd(args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	require.NoError(h.t, err, "git %v", args)
	return strings.TrimSpace(string(out))
}
