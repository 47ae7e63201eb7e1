package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// controlURL is the server's control host in local mode.
func (s *server) controlURL() string {
	_, port, _ := net.SplitHostPort(s.httpAddr)
	return "http://quayside.localhost:" + port
}

// loopbackClient reaches *.localhost hosts on the loopback interface.
var loopbackClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, _ := net.SplitHostPort(addr)
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	},
}}

// api calls the control host's API with token ("" for none) and decodes
// the answer into out when not nil. It returns the status.
func (s *server) api(method, path, token string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.controlURL()+path, body)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := loopbackClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		require.NoError(s.t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// addUser adds an account on the server's socket and sets its password
// through the setup link it printed.
func (s *server) addUser(email, role, password string) {
	s.t.Helper()
	out := s.mustCLI("users", "add", email, "--role", role)
	link := regexp.MustCompile(`https?://\S+/setup/(\S+)`).FindStringSubmatch(out)
	require.NotNil(s.t, link, "users add prints a setup link:\n%s", out)
	require.True(s.t, strings.HasPrefix(link[0], s.controlURL()+"/setup/"), "the link points at the control host: %s", link[0])
	code := s.api("POST", "/api/v1/setup-password", "", map[string]string{"secret": link[1], "password": password}, nil)
	require.Equal(s.t, http.StatusNoContent, code)
}

// remoteCLI runs quayside as a user on another machine: its own config
// directory, no data dir to find a socket in.
type remoteCLI struct {
	s    *server
	home string
	dir  string // working directory; "" for the test's
}

func (s *server) remote() *remoteCLI {
	return &remoteCLI{s: s, home: s.t.TempDir()}
}

func (r *remoteCLI) run(args ...any) (string, int) {
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
	cmd.Env = append(os.Environ(), "HOME="+r.home, "XDG_CONFIG_HOME="+filepath.Join(r.home, ".config"),
		"QUAYSIDE_DATA="+filepath.Join(r.home, "no-server-here"))
	cmd.Stdin, cmd.Dir = in, r.dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
	}
	return string(out), code
}

func (r *remoteCLI) must(args ...any) string {
	r.s.t.Helper()
	out, code := r.run(args...)
	require.Equal(r.s.t, 0, code, "quayside %v:\n%s", args, out)
	return out
}

func (r *remoteCLI) login(email, password string) {
	r.s.t.Helper()
	out := r.must("login", r.s.controlURL(), "--email", email, stdin(password+"\n"))
	assert.Contains(r.s.t, out, "Signed in to "+r.s.controlURL()+" as "+email)
	st, err := os.Stat(filepath.Join(r.home, ".config", "quayside", "credentials.json"))
	require.NoError(r.s.t, err)
	assert.Equal(r.s.t, os.FileMode(0o600), st.Mode().Perm(), "the token file is the user's only")
}

// TestTeamWorksRemotely: accounts made on the server, the CLI used from
// another machine with a token, roles enforced, the audit log.
func TestTeamWorksRemotely(t *testing.T) {
	s := startServer(t)
	s.addUser("admin@example.test", "admin", "correct horse battery")
	s.addUser("dev@example.test", "developer", "developer password 1")
	s.addUser("viewer@example.test", "viewer", "viewer password 1")

	admin := s.remote()
	_, code := admin.run("login", s.controlURL(), "--email", "admin@example.test", stdin("wrong password\n"))
	assert.Equal(t, 5, code, "a wrong password is refused (unauthorized)")
	admin.login("admin@example.test", "correct horse battery")
	admin.must("apps", "create", "shop")
	admin.must("members", "add", "shop", "dev@example.test")
	admin.must("members", "add", "shop", "viewer@example.test")

	dev := s.remote()
	dev.login("dev@example.test", "developer password 1")
	out := dev.must("config", "set", "shop", "GREETING=hello")
	assert.Contains(t, out, "saved")

	viewer := s.remote()
	viewer.login("viewer@example.test", "viewer password 1")
	assert.Contains(t, viewer.must("apps"), "shop")
	out, code = viewer.run("config", "set", "shop", "GREETING=bye")
	assert.Equal(t, 5, code, "a viewer may not change config:\n%s", out)
	assert.Contains(t, out, "viewer")

	// A user's SSH key pushes as that user: a viewer's push is refused.
	keyDir := t.TempDir()
	keygen, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(keyDir, "id"), "-C", "viewer").CombinedOutput()
	require.NoError(t, err, "%s", keygen)
	pub, err := os.ReadFile(filepath.Join(keyDir, "id.pub"))
	require.NoError(t, err)
	viewer.must("keys", "add", "viewer-laptop", stdin(string(pub)))
	assert.Contains(t, viewer.must("keys"), "viewer-laptop")
	assert.NotContains(t, viewer.must("keys"), "tester", "users see their own keys only")
	push := s.pushCommand(sampleRepo(t, "from a viewer"), "shop")
	push.Env = append(push.Env, "GIT_SSH_COMMAND="+strings.Replace(sshCommand(), keyFile, filepath.Join(keyDir, "id"), 1))
	pushOut, err := push.CombinedOutput()
	require.Error(t, err, "a viewer cannot deploy:\n%s", pushOut)
	assert.Contains(t, string(pushOut), "your role (viewer) does not allow this")

	outsider := s.remote()
	s.addUser("out@example.test", "developer", "outsider password 1")
	outsider.login("out@example.test", "outsider password 1")
	out, code = outsider.run("releases", "shop")
	assert.Equal(t, 3, code, "an app a user cannot see is not found:\n%s", out)

	var me struct{ Role string }
	assert.Equal(t, http.StatusUnauthorized, s.api("GET", "/api/v1/me", "", nil, &me))
	assert.Equal(t, http.StatusUnauthorized, s.api("GET", "/api/v1/apps", "qs_notarealtokenatall0000000000000000000000", nil, nil))

	audit := admin.must("audit", "--for-app", "shop")
	assert.Contains(t, audit, "config.change")
	assert.Contains(t, audit, "dev@example.test")
	assert.Contains(t, audit, "denied.config.change", "refusals are audited too")
	assert.Contains(t, audit, "127.0.0.1", "with the address")
	signins := admin.must("audit", "--user", "admin@example.test")
	assert.Contains(t, signins, "signin.failed")
}

// TestGitPushOverHTTPS pushes with an API token as the password, infers
// the app from the git remote, and is refused once the token is revoked.
func TestGitPushOverHTTPS(t *testing.T) {
	s := startServer(t)
	s.addUser("dev@example.test", "developer", "developer password 1")
	dev := s.remote()
	dev.login("dev@example.test", "developer password 1")
	token := strings.TrimSpace(lastLine(dev.must("tokens", "create", "--name", "git")))
	require.True(t, strings.HasPrefix(token, "qs_"), token)

	repo := sampleRepo(t, "over https")
	_, port, _ := net.SplitHostPort(s.httpAddr)
	remote := fmt.Sprintf("http://git:%s@quayside.localhost:%s/web.git", token, port)
	gitIn(t, repo, "remote", "add", "quayside", remote)
	push := exec.Command("git", "push", "quayside", "HEAD:main")
	push.Dir = repo
	push.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := push.CombinedOutput()
	require.NoError(t, err, "git push over http:\n%s\ndaemon:\n%s", out, s.logs.String())
	assert.Contains(t, string(out), "remote: ", "the build's output streams back")
	assert.Contains(t, string(out), "Released v1")
	assert.Equal(t, "over https", s.body("web", "/"))

	dev.dir = repo
	rels := dev.must("releases")
	assert.Contains(t, rels, "dev@example.test", "the app comes from the git remote; the release says who pushed")

	toks := dev.must("tokens", "--json")
	var list []struct {
		ID   int64
		Name string
	}
	require.NoError(t, json.Unmarshal([]byte(toks), &list))
	for _, tk := range list {
		if tk.Name == "git" {
			dev.must("tokens", "revoke", fmt.Sprint(tk.ID))
		}
	}
	commitAll(t, repo, "second")
	push = exec.Command("git", "push", "quayside", "HEAD:main")
	push.Dir = repo
	push.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err = push.CombinedOutput()
	require.Error(t, err, "a revoked token cannot push:\n%s", out)
	assert.Contains(t, strings.ToLower(string(out)), "authentication failed")
	assert.NotContains(t, s.logs.String(), token, "the token never reaches the daemon's logs")
	assert.NotContains(t, s.logs.String(), token[:12], "not even its start")
}

func lastLine(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return ls[len(ls)-1]
}
