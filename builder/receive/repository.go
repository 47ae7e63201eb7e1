package receive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/quayside/quayside/engine"
)

// Repositories are the apps' bare repositories under one directory: the
// git server creates and configures one on an app's first push, and the
// engine removes it (engine.Repositories) when the app is destroyed.
type Repositories struct {
	dir     string
	git     string
	maxPush int64
	hook    []byte // the pre-receive hook script
	mu      sync.Mutex
}

var _ engine.Repositories = (*Repositories)(nil)

// OpenRepositories creates cfg.ReposDir (owner only) and returns its
// repositories. It reads ReposDir, HookSocket, HookCommand and MaxPushBytes
// of cfg, and needs git on the PATH. Open them before the engine and the
// Server, and give both the same value, so neither waits for the other.
func OpenRepositories(cfg Config) (*Repositories, error) {
	cfg, err := cfg.repoDefaults()
	if err != nil {
		return nil, err
	}
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("find git: %w", err)
	}
	return newRepositories(cfg, git)
}

// RemoveRepository deletes an app's repository; a missing one is not an
// error. It implements engine.Repositories.
func (r *Repositories) RemoveRepository(ctx context.Context, app string) error {
	return r.remove(ctx, app)
}

func newRepositories(cfg Config, git string) (*Repositories, error) {
	if err := os.MkdirAll(cfg.ReposDir, 0o700); err != nil {
		return nil, fmt.Errorf("create repositories directory: %w", err)
	}
	return &Repositories{
		dir: cfg.ReposDir, git: git, maxPush: cfg.MaxPushBytes,
		hook: hookScript(cfg.HookSocket, cfg.HookCommand),
	}, nil
}

// path is where app's repository lives; app must be one path segment.
func (r *Repositories) path(app string) string {
	return filepath.Join(r.dir, app+".git")
}

// ensure returns the repository of app, creating it on the first push, and
// (re)applies its configuration and hook so they follow the server's.
func (r *Repositories) ensure(ctx context.Context, app string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dir := r.path(app)
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = r.create(ctx, dir)
	case err == nil && !fi.IsDir():
		err = fmt.Errorf("repository %s is not a directory", dir)
	}
	if err != nil {
		return "", err
	}
	if err := r.configure(ctx, dir); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, "hooks", "pre-receive"), r.hook, 0o755); err != nil {
		return "", fmt.Errorf("write pre-receive hook: %w", err)
	}
	return dir, nil
}

// create makes an empty bare repository beside dir and renames it into
// place, so a failure never leaves a half-made repository behind.
func (r *Repositories) create(ctx context.Context, dir string) error {
	tmp, err := os.MkdirTemp(r.dir, ".init-*")
	if err != nil {
		return fmt.Errorf("create repository: %w", err)
	}
	defer os.RemoveAll(tmp)
	// An empty --template keeps the host's template directory (and any
	// hooks in it) out of the repository.
	if err := r.run(ctx, tmp, "init", "--quiet", "--bare", "--template=", "--initial-branch=main", tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("create repository: %w", err)
	}
	return nil
}

// configure writes the repository settings a push relies on.
func (r *Repositories) configure(ctx context.Context, dir string) error {
	settings := [][2]string{
		{"core.hooksPath", filepath.Join(dir, "hooks")},
		{"core.logAllRefUpdates", "true"},
		{"receive.advertisePushOptions", "true"},
		// The pre-receive hook decides about deletes (Deployer.DeleteBranch).
		{"receive.denyDeletes", "false"},
		// fsck refuses trees with ".", ".." or ".git" entries before any
		// build unpacks them; a few harmless flaws of old histories pass.
		{"receive.fsckObjects", "true"},
		{"receive.fsck.zeroPaddedFilemode", "ignore"},
		{"receive.fsck.badTimezone", "ignore"},
		{"receive.fsck.missingEmail", "ignore"},
		{"receive.fsck.missingSpaceBeforeDate", "ignore"},
		{"receive.maxInputSize", strconv.FormatInt(r.maxPush, 10)},
	}
	config := filepath.Join(dir, "config")
	for _, kv := range settings {
		if err := r.run(ctx, dir, "config", "--file", config, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// run runs git in dir with the server's git environment.
func (r *Repositories) run(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, r.git, args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w: %s", args[0], err, tail(out))
	}
	return nil
}

// remove deletes app's repository; a missing one is not an error.
func (r *Repositories) remove(_ context.Context, app string) error {
	if name, err := parseRepoPath(app); err != nil || name != app {
		return engine.FieldError("app", "%q is not an app name", app)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.RemoveAll(r.path(app)); err != nil {
		return fmt.Errorf("remove repository: %w", err)
	}
	return nil
}

// tail returns the end of a process's output for an error message.
func tail(b []byte) string {
	const max = 2048
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
