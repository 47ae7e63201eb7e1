package install

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/testenv"
)

// A box is a container of the test image standing in for a fresh server.
// It has its own network namespace with no network (ports 80, 443 and 2222
// are free, nothing leaves it), the host's Docker socket and docker CLI (so
// "Docker is present" holds, as on a server with Docker), and the installer
// and the binaries under /tmp.
type box struct {
	t    *testing.T
	name string
}

// boxOptions says how a box starts.
type boxOptions struct {
	// systemd runs systemd as PID 1, as on a real server; otherwise PID 1 is
	// sleep and there is no systemd.
	systemd bool
	// network puts the box on Docker's default bridge, to reach the Debian
	// mirror; otherwise it has no network at all.
	network bool
	// noDocker leaves Docker out: no socket, no CLI.
	noDocker bool
}

// newBox starts a box and removes it when the test ends.
func newBox(t *testing.T, image string, opt boxOptions) *box {
	t.Helper()
	b := &box{t: t, name: "quayside-install-test-" + randomSuffix()}
	args := []string{"run", "-d", "--name", b.name, "--label", "io.quayside.test=install"}
	if !opt.network {
		args = append(args, "--network", "none")
	}
	if !opt.noDocker {
		args = append(args, "-v", "/var/run/docker.sock:/var/run/docker.sock")
	}
	if opt.systemd {
		args = append(args, "--tmpfs", "/run", "--tmpfs", "/run/lock",
			"-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", image, "/lib/systemd/systemd")
	} else {
		args = append(args, image, "sleep", "infinity")
	}
	out, err := exec.Command("docker", args...).CombinedOutput()
	require.NoError(t, err, "docker run: %s", out)
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", "-v", b.name).Run() })
	if opt.systemd {
		waitForBoot(t, b) // before copying: systemd mounts a new /tmp
	}
	b.cp("install.sh", "/tmp/install.sh")
	if !opt.noDocker {
		b.addDocker()
	}
	return b
}

// addDocker gives the box the host's docker CLI, and a group docker owning
// the socket as the docker.io package makes it.
func (b *box) addDocker() {
	cli, err := exec.LookPath("docker")
	require.NoError(b.t, err)
	b.cp(cli, "/usr/local/bin/docker")
	var st syscall.Stat_t
	require.NoError(b.t, syscall.Stat("/var/run/docker.sock", &st))
	b.mustSh(fmt.Sprintf("getent group docker || getent group %d || groupadd --gid %d docker", st.Gid, st.Gid))
	if r := b.sh("docker info"); r.code != 0 {
		testenv.RequireOrSkip(b.t, "the host's docker CLI does not reach the host's daemon from inside the test container: "+r.stderr)
	}
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cp copies a file of the host into the box, making its directory.
func (b *box) cp(src, dst string) {
	b.t.Helper()
	b.mustSh("mkdir -p '" + path.Dir(dst) + "'")
	out, err := exec.Command("docker", "cp", src, b.name+":"+dst).CombinedOutput()
	require.NoError(b.t, err, "docker cp %s: %s", src, out)
}

// result is what a command in the box did.
type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit status %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// execOptions are the user and environment of a command in the box.
type execOptions struct {
	user string
	env  []string
}

// exec runs a command in the box and waits for it (at most 3 minutes).
func (b *box) exec(opt execOptions, argv ...string) result {
	b.t.Helper()
	args := []string{"exec"}
	if opt.user != "" {
		args = append(args, "-u", opt.user)
	}
	for _, e := range opt.env {
		args = append(args, "-e", e)
	}
	args = append(append(args, b.name), argv...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else {
		require.NoError(b.t, err, "docker exec %v", argv)
	}
	return r
}

// install runs the installer as root with the arguments and environment.
func (b *box) install(env []string, args ...string) result {
	b.t.Helper()
	return b.exec(execOptions{env: env}, append([]string{"sh", "/tmp/install.sh"}, args...)...)
}

// sh runs a shell script in the box as root.
func (b *box) sh(script string) result {
	b.t.Helper()
	return b.exec(execOptions{}, "sh", "-c", script)
}

// mustSh runs a shell script in the box as root and returns its trimmed
// output; it fails the test unless the script succeeds.
func (b *box) mustSh(script string) string {
	b.t.Helper()
	r := b.sh(script)
	require.Equal(b.t, 0, r.code, "%s\n%s", script, r)
	return strings.TrimSpace(r.stdout)
}

// exists reports whether a path exists in the box (symbolic links included).
func (b *box) exists(path string) bool {
	b.t.Helper()
	return b.sh(fmt.Sprintf("test -e '%s' || test -L '%s'", path, path)).code == 0
}

// file returns a file's content in the box.
func (b *box) file(path string) string {
	b.t.Helper()
	return b.mustSh("cat '" + path + "'")
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// writeExecutable writes a small script for the box into the test's temp
// dir and returns its host path.
func writeExecutable(t *testing.T, name, text string) string {
	t.Helper()
	path := t.TempDir() + "/" + name
	require.NoError(t, os.WriteFile(path, []byte(text), 0o755))
	return path
}
