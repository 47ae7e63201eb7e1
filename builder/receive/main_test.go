package receive

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gossh "golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
)

// hookMarker makes the test binary act as the pre-receive hook command
// (what `quayside hook pre-receive` does in production).
const hookMarker = "QUAYSIDE_RECEIVE_TEST_HOOK"

func TestMain(m *testing.M) {
	if os.Getenv(hookMarker) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := RunHook(ctx, os.Stdin, os.Stdout, os.Stderr, os.Environ())
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// fakeKeys is an in-memory KeyFinder.
type fakeKeys struct {
	mu   sync.Mutex
	keys map[string]*engine.Key
}

func (f *fakeKeys) add(name string, pub gossh.PublicKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fp := gossh.FingerprintSHA256(pub)
	f.keys[fp] = &engine.Key{Name: name, Fingerprint: fp}
}

func (f *fakeKeys) FindKeyByFingerprint(_ context.Context, fp string) (*engine.Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k, ok := f.keys[fp]; ok {
		return k, nil
	}
	return nil, engine.Errorf(engine.ENOTFOUND, "no key %s", fp)
}

// fakeDeployer records what a push asks for; onPush decides the outcome
// and may read the Source while the hook runs.
type fakeDeployer struct {
	mu         sync.Mutex
	prepareErr error
	onPush     func(ctx context.Context, req engine.PushRequest) (*engine.Release, error)
	prepared   []string
	pushes     []engine.PushRequest
	deleted    []string
}

func (f *fakeDeployer) PreparePush(_ context.Context, app, author string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prepared = append(f.prepared, app+" by "+author)
	return f.prepareErr
}

func (f *fakeDeployer) Push(ctx context.Context, req engine.PushRequest) (*engine.Release, error) {
	f.mu.Lock()
	f.pushes = append(f.pushes, req)
	onPush := f.onPush
	f.mu.Unlock()
	if onPush != nil {
		return onPush(ctx, req)
	}
	fmt.Fprintf(req.Output, "Deployed %.7s\n", req.NewCommit)
	return &engine.Release{App: req.App, Number: 1}, nil
}

// DeleteBranch refuses to delete main, as the engine refuses to delete a
// deploy branch, and records the others.
func (f *fakeDeployer) DeleteBranch(_ context.Context, app, ref string) error {
	if ref == "refs/heads/main" {
		return engine.Errorf(engine.EINVALID, "main is the deploy branch of %s and cannot be deleted", app)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, app+" "+ref)
	return nil
}

func (f *fakeDeployer) deletes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deleted...)
}

func (f *fakeDeployer) setOnPush(fn func(ctx context.Context, req engine.PushRequest) (*engine.Release, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onPush = fn
}

func (f *fakeDeployer) setPrepareErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prepareErr = err
}

func (f *fakeDeployer) requests() []engine.PushRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.PushRequest(nil), f.pushes...)
}

// harness is a running Server on 127.0.0.1 with a key named alice and a
// work tree to push from.
type harness struct {
	t        *testing.T
	srv      *Server
	cfg      Config
	port     int
	keys     *fakeKeys
	deployer *fakeDeployer
	keyPath  string // alice's private key
	work     string // a git work tree with one commit on main
	done     chan error
}

func newHarness(t *testing.T, mutate ...func(*Config)) *harness {
	t.Helper()
	dir := t.TempDir()
	sockDir, err := os.MkdirTemp("", "qr") // unix socket paths must stay short
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	exe, err := os.Executable()
	require.NoError(t, err)

	h := &harness{t: t, keys: &fakeKeys{keys: map[string]*engine.Key{}}, deployer: &fakeDeployer{}}
	h.cfg = Config{
		ReposDir:    filepath.Join(dir, "repos"),
		HostKeyPath: filepath.Join(dir, "host", "ssh_host_ed25519_key"),
		HookSocket:  filepath.Join(sockDir, "hook.sock"),
		HookCommand: []string{"/usr/bin/env", hookMarker + "=1", exe},
		Keys:        h.keys,
		Deployer:    h.deployer,
		PushTimeout: 2 * time.Minute,
	}
	for _, m := range mutate {
		m(&h.cfg)
	}
	h.keyPath = writeClientKey(t, filepath.Join(dir, "id_alice"), "alice", h.keys)
	h.start()
	h.work = filepath.Join(dir, "work")
	h.initWork()
	return h
}

// start runs a Server for h.cfg on a fresh port.
func (h *harness) start() {
	t := h.t
	srv, err := New(h.cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hln, err := srv.ListenHookSocket()
	require.NoError(t, err)
	h.srv, h.port, h.done = srv, ln.Addr().(*net.TCPAddr).Port, make(chan error, 2)
	go func() { h.done <- srv.ServeSSH(ln) }()
	go func() { h.done <- srv.ServeHooks(hln) }()
	t.Cleanup(func() { h.stop(srv) })
}

// stop closes srv and checks that both Serve calls returned nil.
func (h *harness) stop(srv *Server) {
	require.NoError(h.t, srv.Close())
	if srv != h.srv {
		return
	}
	for range 2 {
		select {
		case err := <-h.done:
			require.NoError(h.t, err)
		case <-time.After(10 * time.Second):
			h.t.Fatal("Serve did not return after Close")
		}
	}
	h.done = make(chan error, 2) // drained: a second stop is a no-op
	h.srv = nil
}

// writeClientKey makes an ed25519 key for ssh -i, registered under name
// when keys is not nil.
func writeClientKey(t *testing.T, path, name string, keys *fakeKeys) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := gossh.MarshalPrivateKey(priv, name)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	if keys != nil {
		sshPub, err := gossh.NewPublicKey(pub)
		require.NoError(t, err)
		keys.add(name, sshPub)
	}
	return path
}

// sshCommand is the ssh client command line for key.
func (h *harness) sshCommand(key string) string {
	return fmt.Sprintf("ssh -F /dev/null -T -i %s -p %d -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "+
		"-o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR", shellQuote(key), h.port)
}

// clientEnv is the environment of git and ssh on the pusher's side.
func (h *harness) clientEnv() []string {
	return append(os.Environ(),
		"GIT_SSH_COMMAND="+h.sshCommand(h.keyPath),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com",
	)
}

// git runs git in the work tree and returns its combined output.
func (h *harness) git(args ...string) (string, error) {
	cmd := h.gitCmd(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (h *harness) gitCmd(args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = h.work
	cmd.Env = h.clientEnv()
	return cmd
}

func (h *harness) mustGit(args ...string) string {
	h.t.Helper()
	out, err := h.git(args...)
	require.NoError(h.t, err, "git %v: %s", args, out)
	return strings.TrimSpace(out)
}

func (h *harness) initWork() {
	require.NoError(h.t, os.MkdirAll(h.work, 0o755))
	h.mustGit("init", "--quiet", "--initial-branch=main")
	h.commit(map[string]string{"Dockerfile": "FROM scratch\n", "app/hello.txt": "hello\n"})
}

// commit writes files in the work tree, commits them and returns the commit.
func (h *harness) commit(files map[string]string) string {
	for name, content := range files {
		p := filepath.Join(h.work, name)
		require.NoError(h.t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(h.t, os.WriteFile(p, []byte(content), 0o644))
	}
	h.mustGit("add", "-A")
	h.mustGit("commit", "--quiet", "--allow-empty", "-m", "change")
	return h.mustGit("rev-parse", "HEAD")
}

// remote is the push URL of app (scp-like, no leading slash).
func (h *harness) remote(app string) string {
	return "git@127.0.0.1:" + app + ".git"
}

// push runs git push to app's remote with args (refspecs, options).
func (h *harness) push(app string, args ...string) (string, error) {
	return h.git(append([]string{"push", h.remote(app)}, args...)...)
}

// remoteRef returns what ref points to in app's repository, "" if nothing.
func (h *harness) remoteRef(app, ref string) string {
	cmd := exec.Command("git", "--git-dir", filepath.Join(h.cfg.ReposDir, app+".git"), "rev-parse", "--verify", "--quiet", ref)
	cmd.Env = gitEnv()
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// ssh runs the ssh client with key and a remote command; it returns stderr
// and the exit status.
func (h *harness) ssh(key string, command ...string) (string, int) {
	args := append([]string{"-c", h.sshCommand(key) + ` "$@"`, "ssh", "git@127.0.0.1"}, command...)
	cmd := exec.Command("sh", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			h.t.Fatalf("run ssh: %v", err)
		}
	}
	return stderr.String(), cmd.ProcessState.ExitCode()
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 20*time.Second, 20*time.Millisecond, msg)
}
