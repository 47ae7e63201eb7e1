package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/testenv"
)

// probeScript wraps one of the offline builder's buildpack scripts: it
// reports whether the buildpack's code can reach the Docker daemon (the
// socket, DOCKER_HOST) and then runs the original. A detect that finds the
// daemon fails loudly, so the build shows what it saw either way.
const probeScript = `#!/usr/bin/env bash
found=""
for p in /var/run/docker.sock /run/docker.sock; do
	if [ -e "$p" ]; then found="$found $p"; fi
done
if [ -n "${DOCKER_HOST:-}" ]; then found="$found DOCKER_HOST=$DOCKER_HOST"; fi
if [ -n "$found" ]; then
	use=$(python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("/var/run/docker.sock"); print("connected")' 2>&1 | tail -n 1)
	echo "probe $(basename "$0"): FOUND the Docker daemon:$found (uid $(id -u), groups $(id -G)); connecting: $use"
	[ "$(basename "$0")" = detect ] && exit 100
else
	echo "probe $(basename "$0"): no Docker daemon (uid $(id -u))"
fi
exec "$0.orig" "$@"
`

// probeBuilder makes a builder image from quayside/builder:offline whose
// procfile buildpack runs probeScript before its own detect and build: the
// kind of builder a developer would like to run on the server. It is
// removed when the test ends.
func probeBuilder(t *testing.T) string {
	t.Helper()
	if err := exec.Command("docker", "image", "inspect", "quayside/builder:offline").Run(); err != nil {
		testenv.RequireOrSkip(t, "needs the offline builder: make builder")
	}
	image := fmt.Sprintf("qs-e2e-probe/builder:%d-%d", os.Getpid(), time.Now().UnixNano())
	dir := t.TempDir()
	bin := "/cnb/buildpacks/quayside_procfile/0.1.0/bin"
	writeFile(t, dir, "probe", probeScript)
	writeFile(t, dir, "Dockerfile", "FROM quayside/builder:offline\nUSER root\n"+
		"RUN mv "+bin+"/detect "+bin+"/detect.orig && mv "+bin+"/build "+bin+"/build.orig\n"+
		"COPY probe "+bin+"/detect\nCOPY probe "+bin+"/build\n"+
		"RUN chmod 755 "+bin+"/detect "+bin+"/build\nUSER 1000:1000\n")
	cmd := exec.Command("docker", "build", "-q", "-t", image, dir)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "docker build of the probe builder:\n%s", out)
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", image).Run() })
	return image
}

// TestUntrustedBuilder performs the attack of a builder that wants the
// host: only an admin may choose it, and even then it runs untrusted, with
// the lifecycle image, and its buildpacks never see the Docker daemon. A
// developer who tries to choose it is refused.
func TestUntrustedBuilder(t *testing.T) {
	t.Parallel()
	if err := exec.Command("docker", "image", "inspect", "quayside/lifecycle:0.20.11").Run(); err != nil {
		testenv.RequireOrSkip(t, "needs the lifecycle image: make builder")
	}
	probe := probeBuilder(t)
	s := startServer(t, "--allowed-builders", "acme/*")
	s.addUser("dev@example.test", "developer", "developer password 1")
	s.mustCLI("apps", "create", "probe")
	s.mustCLI("members", "add", "probe", "dev@example.test")
	dev := s.remote()
	dev.login("dev@example.test", "developer password 1")

	t.Run("a developer cannot choose the builder", func(t *testing.T) {
		out, code := dev.run("builder", "set", "probe", probe)
		assert.Equal(t, 5, code, "refused as forbidden:\n%s", out)
		assert.Contains(t, out, "Only an admin may build probe with the builder "+probe)
		assert.Contains(t, out, "--allowed-builders")
		assert.Contains(t, dev.must("builder", "show", "probe"), "the server's default builder")
	})
	t.Run("a developer may choose an allowed builder, and return to the default", func(t *testing.T) {
		assert.Contains(t, dev.must("builder", "set", "probe", "acme/builder:1"), "builds with acme/builder:1")
		assert.Contains(t, dev.must("builder", "set", "probe", "quayside/builder:offline"), "builds with quayside/builder:offline")
		assert.Contains(t, dev.must("builder", "unset", "probe"), "the server's default builder")
	})
	t.Run("the refusal is audited", func(t *testing.T) {
		audit := s.mustCLI("audit", "--for-app", "probe")
		assert.Contains(t, audit, "denied.app.builder")
		assert.Contains(t, audit, "dev@example.test")
	})
	t.Run("an admin's choice runs untrusted and its code never sees the daemon", func(t *testing.T) {
		s.mustCLI("builder", "set", "probe", probe)
		out, err := s.push(appRepo(t, "procfile"), "probe")
		require.NoError(t, err, "push:\n%s", out)
		t.Logf("push with the untrusted builder:\n%s", out)
		assert.Contains(t, out, "The builder "+probe+" is not one of this server's own builders")
		assert.Contains(t, out, "it runs untrusted, without access to the Docker daemon (lifecycle from quayside/lifecycle:0.20.11)")
		assert.Contains(t, out, "probe build: no Docker daemon")
		assert.NotContains(t, out, "FOUND the Docker daemon")
		assert.Contains(t, out, "Released v1")
		assert.Contains(t, s.body("probe", "/"), "Hello from the procfile sample")
	})
	t.Run("the next untrusted build works too, and pack keeps no per-image volume keys", func(t *testing.T) {
		repo := appRepo(t, "procfile")
		commitAll(t, repo, "again")
		out, err := s.push(repo, "probe", "--force")
		require.NoError(t, err, "push:\n%s", out)
		assert.Contains(t, out, "probe build: no Docker daemon")
		assert.Contains(t, out, "Released v2")
		assert.NotContains(t, out, "PACK_VOLUME_KEY")
		home, err := os.UserHomeDir()
		require.NoError(t, err)
		keys, _ := os.ReadFile(filepath.Join(home, ".pack", "volume-keys.toml"))
		assert.NotContains(t, string(keys), "qs-"+s.instance+"/probe", "the kaniko volume has our name, not one pack records")
	})
}

// TestTrustedBuilderSeesTheDaemon is the control of TestUntrustedBuilder:
// the same probe, as the server's own default builder, runs trusted and
// finds the daemon (so the probe does detect it), which is why only the
// server's admin picks a trusted builder.
func TestTrustedBuilderSeesTheDaemon(t *testing.T) {
	probe := probeBuilder(t)
	s := startServer(t, "--builder", probe)
	out, err := s.push(appRepo(t, "procfile"), "probe")
	require.Error(t, err, "the probe fails detection when it finds the daemon:\n%s", out)
	assert.Contains(t, out, "probe detect: FOUND the Docker daemon: /var/run/docker.sock")
	assert.NotContains(t, out, "runs untrusted")
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "probe detect: FOUND") {
			t.Logf("what a trusted builder's buildpack sees: %s", strings.TrimSpace(l))
		}
	}
}

// TestUntrustedBuilderWithoutLifecycleImage: where the lifecycle image is
// missing, a build with a builder other than the server's own is refused
// with a message saying how to get it; it is never trusted instead.
func TestUntrustedBuilderWithoutLifecycleImage(t *testing.T) {
	probe := probeBuilder(t)
	s := startServer(t, "--lifecycle-image", "qs-e2e-missing/lifecycle:0")
	s.mustCLI("apps", "create", "probe")
	s.mustCLI("builder", "set", "probe", probe)
	out, err := s.push(appRepo(t, "procfile"), "probe")
	require.Error(t, err, "push:\n%s", out)
	assert.Contains(t, out, "runs untrusted")
	assert.Contains(t, out, "the lifecycle image qs-e2e-missing/lifecycle:0, which the Docker daemon does not have")
	assert.Contains(t, out, "make builder")
	assert.NotContains(t, out, "probe detect", "the builder's code never ran")
}

// TestDockerfileBuildCannotReachTheHost pushes a Dockerfile whose RUN step
// looks for the Docker socket, the data dir and the control socket (by
// their paths and through symbolic links committed to the repository) and
// dials the server's loopback listeners: it finds none of them. A
// Dockerfile that ADDs a URL, which the daemon would fetch from the
// server's own network, is refused.
func TestDockerfileBuildCannotReachTheHost(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "probed")
	probe := filepath.Join(repo, "escapeprobe")
	build := exec.Command("go", "build", "-ldflags=-s -w", "-o", probe, "./testdata/escapeprobe")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build the probe: %s", out)
	control := filepath.Join(s.data, "control.sock")
	require.FileExists(t, control, "the control socket is where the probe looks for it")
	for link, target := range map[string]string{"docker.sock": "/var/run/docker.sock", "data": s.data, "control": control} {
		require.NoError(t, os.Symlink(target, filepath.Join(repo, link)))
	}
	paths := []string{"/var/run/docker.sock", "/run/docker.sock", s.data, control, filepath.Join(s.data, "quayside.db"),
		"/ctx/docker.sock", "/ctx/data/control.sock", "/ctx/control"}
	run, _ := json.Marshal(append([]string{"/escapeprobe", "-dial", s.httpAddr, "-dial", s.sshAddr}, paths...))
	writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY escapeprobe /escapeprobe\nCOPY . /ctx/\nRUN "+string(run)+"\n"+
		"COPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nEXPOSE 5000\nCMD [\"/sampleapp\"]\n")
	commitAll(t, repo, "probe the host")

	t.Run("RUN steps see nothing of the host", func(t *testing.T) {
		out, err := s.push(repo, "escape")
		require.NoError(t, err, "push:\n%s", out)
		t.Logf("push of the probing Dockerfile:\n%s", out)
		for _, p := range paths {
			assert.Contains(t, out, "escapeprobe: absent "+p)
		}
		assert.Contains(t, out, "escapeprobe: no listener at "+s.httpAddr)
		assert.Contains(t, out, "escapeprobe: no listener at "+s.sshAddr)
		assert.NotContains(t, out, "FOUND")
		assert.Equal(t, "probed", s.body("escape", "/"))
	})
	t.Run("a symbolic link out of the repository cannot be copied", func(t *testing.T) {
		writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY docker.sock /sock\n")
		commitAll(t, repo, "copy the socket")
		out, err := s.push(repo, "escape")
		require.Error(t, err, "push:\n%s", out)
		assert.Contains(t, out, "file not found in build context")
	})
	t.Run("ADD of a URL on the server's loopback is refused", func(t *testing.T) {
		writeFile(t, repo, "Dockerfile", "FROM scratch\nADD http://"+s.httpAddr+"/ /stolen\n")
		commitAll(t, repo, "fetch from the host")
		out, err := s.push(repo, "escape")
		require.Error(t, err, "push:\n%s", out)
		assert.Contains(t, out, "Dockerfile line 2: ADD http://"+s.httpAddr+"/ is refused")
	})
}
