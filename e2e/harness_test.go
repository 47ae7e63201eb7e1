package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/internal/dockertest"
	"github.com/quayside/quayside/internal/syncbuf"
)

// Built once by TestMain.
var (
	quaysideBin string // the quayside binary under test
	sampleBin   string // the static sample app
	keyFile     string // a private key every test server accepts as "tester"
	pubKey      string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "quayside-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := prepare(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		return 1
	}
	return m.Run()
}

// prepare builds the binaries and a key pair, and checks Docker answers.
func prepare(dir string) error {
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		return fmt.Errorf("the end-to-end tests need a running Docker daemon (make test starts one): %v: %s", err, out)
	}
	quaysideBin = filepath.Join(dir, "quayside")
	args := []string{"build", "-o", quaysideBin}
	if os.Getenv("QUAYSIDE_E2E_RACE") == "1" {
		args = append(args, "-race")
	}
	if err := run("", nil, "go", append(args, "../cmd/quayside")...); err != nil {
		return err
	}
	sampleBin = filepath.Join(dir, "sampleapp")
	env := []string{"CGO_ENABLED=0"}
	if err := run("", env, "go", "build", "-ldflags=-s -w", "-o", sampleBin, "./testdata/sampleapp"); err != nil {
		return err
	}
	return writeKeyPair(dir)
}

func writeKeyPair(dir string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := ssh.MarshalPrivateKey(priv, "e2e")
	if err != nil {
		return err
	}
	keyFile = filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		return err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	pubKey = string(ssh.MarshalAuthorizedKey(sp))
	return nil
}

func run(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// server is one quayside daemon under test.
type server struct {
	t         *testing.T
	data      string
	httpAddr  string
	sshAddr   string
	cmd       *exec.Cmd
	logs      *syncbuf.Buffer
	instance  string
	flags     []string
	httpsAddr string
	domain    string
	env       []string // extra environment of the daemon (DOCKER_HOST)
	netns     string   // the network namespace the daemon runs in, if not the host's
}

// startServer starts a daemon with a fresh data dir, registers the test
// key, and removes everything it made in Docker when the test ends.
func startServer(t *testing.T, flags ...string) *server {
	t.Helper()
	s := newServer(t, flags...)
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	return s
}

// newServer prepares a daemon (data dir, ports) without starting it.
func newServer(t *testing.T, flags ...string) *server {
	t.Helper()
	data, err := os.MkdirTemp("", "qs-")
	require.NoError(t, err)
	s := &server{t: t, data: data, httpAddr: freeAddr(t), httpsAddr: freeAddr(t), sshAddr: freeAddr(t),
		logs: &syncbuf.Buffer{}, flags: flags, domain: "localhost"}
	for i, f := range flags { // --domain is the harness's; take it out of the extra flags
		if f == "--domain" && i+1 < len(flags) {
			s.domain = flags[i+1]
			s.flags = append(append([]string{}, flags[:i]...), flags[i+2:]...)
		}
	}
	t.Cleanup(func() { s.cleanup() })
	return s
}

// start runs the daemon and waits until its control socket answers.
func (s *server) start() {
	s.t.Helper()
	args := []string{"server", "--domain", s.domain, "--http-addr", s.httpAddr, "--https-addr", s.httpsAddr,
		"--ssh-addr", s.sshAddr, "--stop-grace", "2s"}
	name, args := quaysideBin, append(args, s.flags...)
	if s.netns != "" { // nsenter execs the daemon: same process
		name, args = "nsenter", append([]string{"--net=/var/run/netns/" + s.netns, quaysideBin}, args...)
	}
	s.cmd = exec.Command(name, args...)
	s.cmd.Env = append(append(os.Environ(), "QUAYSIDE_DATA="+s.data), s.env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	require.NoError(s.t, s.cmd.Start())
	waitFor(s.t, 30*time.Second, "the daemon to answer", func() bool {
		out, err := s.cli("status", "--json")
		if err != nil {
			return false
		}
		var st struct{ Instance string }
		if json.Unmarshal([]byte(out), &st) == nil {
			s.instance = st.Instance
		}
		return s.instance != ""
	})
}

// stop ends the daemon with sig and waits for it.
func (s *server) stop(sig os.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	_ = s.cmd.Wait()
	s.cmd = nil
}

func (s *server) cleanup() {
	s.stop(os.Interrupt)
	if s.t.Failed() {
		s.t.Logf("daemon output:\n%s", s.logs.String())
	}
	if s.instance != "" {
		cli := dockerClient(s.t)
		if err := dockertest.RemoveInstance(context.Background(), cli, s.instance); err != nil {
			s.t.Logf("clean up Docker objects of instance %s: %v", s.instance, err)
		}
		cli.Close()
	}
	_ = os.RemoveAll(s.data)
}

func execOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

func lines(out []byte, err error) []string {
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}

type stdin string

// cli runs a quayside command against this server; a stdin argument feeds
// standard input.
func (s *server) cli(args ...any) (string, error) {
	var argv []string
	var in io.Reader
	for _, a := range args {
		switch v := a.(type) {
		case stdin:
			in = strings.NewReader(string(v))
		case string:
			argv = append(argv, v)
		}
	}
	cmd := exec.Command(quaysideBin, argv...)
	cmd.Env = append(os.Environ(), "QUAYSIDE_DATA="+s.data)
	cmd.Stdin = in
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *server) mustCLI(args ...any) string {
	s.t.Helper()
	out, err := s.cli(args...)
	require.NoError(s.t, err, "quayside %v:\n%s", args, out)
	return out
}

// get requests path of app through the daemon's proxy.
func (s *server) get(app, path string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, "http://"+s.httpAddr+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = app + "." + s.domain
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// body requests path of app and expects a 200.
func (s *server) body(app, path string) string {
	s.t.Helper()
	code, body, err := s.get(app, path)
	require.NoError(s.t, err)
	require.Equal(s.t, http.StatusOK, code, "GET %s%s: %s", app, path, body)
	return body
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// push pushes the repository's HEAD to app's deploy branch ("main"), or as
// the last extra argument says when it is a refspec, and returns git's
// combined output.
func (s *server) push(repo, app string, extra ...string) (string, error) {
	out, err := s.pushCommand(repo, app, extra...).CombinedOutput()
	return string(out), err
}

func (s *server) pushCommand(repo, app string, extra ...string) *exec.Cmd {
	url := fmt.Sprintf("ssh://git@%s/%s.git", s.sshAddr, app)
	refspec := "HEAD:refs/heads/main"
	if n := len(extra); n > 0 && !strings.HasPrefix(extra[n-1], "-") {
		refspec, extra = extra[n-1], extra[:n-1]
	}
	args := append(append([]string{"push"}, extra...), url, refspec)
	cmd := exec.Command("git", args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GIT_SSH_COMMAND="+sshCommand(), "GIT_TERMINAL_PROMPT=0")
	return cmd
}

// deployedCommit is where app's deploy branch points in the server's repository.
func (s *server) deployedCommit(app string) string {
	s.t.Helper()
	return gitIn(s.t, s.data, "--git-dir", filepath.Join("repos", app+".git"), "rev-parse", "refs/heads/main")
}

func (s *server) mustPush(repo, app string) string {
	s.t.Helper()
	out, err := s.push(repo, app)
	require.NoError(s.t, err, "git push:\n%s\ndaemon:\n%s", out, s.logs.String())
	return out
}

func sshCommand() string {
	return "ssh -i " + keyFile + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no" +
		" -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
}

// sampleRepo makes a git repository with the sample app, a Dockerfile and
// message as the text the app serves.
func sampleRepo(t *testing.T, message string) string {
	t.Helper()
	dir := t.TempDir()
	bin, err := os.ReadFile(sampleBin)
	require.NoError(t, err)
	// Bytes after the end of the program make this repository's copy of it
	// its own, so that Docker's build cache shares no layer between the
	// repositories of tests running side by side: another test removing
	// its images (PruneChildren) could otherwise delete a cached layer
	// while this test's build uses it ("unable to find image").
	bin = append(bin, "\nqs-e2e-sample "+rand.Text()...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sampleapp"), bin, 0o755))
	writeFile(t, dir, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nEXPOSE 5000\nCMD [\"/sampleapp\"]\n")
	writeFile(t, dir, "message.txt", message)
	gitIn(t, dir, "init", "-q", "--initial-branch=main")
	commitAll(t, dir, "first")
	return dir
}

// commitAll commits every change in dir.
func commitAll(t *testing.T, dir, msg string) {
	t.Helper()
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "-c", "user.name=Tester", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", msg)
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// containers lists the names of the running containers of app.
func (s *server) containers(app string) []string {
	out, _ := exec.Command("docker", "ps", "-a", "--format", "{{.Names}}",
		"--filter", "label=io.quayside.instance="+s.instance,
		"--filter", "label=io.quayside.app="+app).Output()
	return strings.Fields(string(out))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var _ = context.Background

// dockerClient is a client of the local Docker daemon, for cleaning up.
func dockerClient(t *testing.T) *client.Client {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	return cli
}
