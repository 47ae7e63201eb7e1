package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// privateDockers counts the private daemons of this test process.
var privateDockers atomic.Int32

// privateDocker is a Docker daemon of a test's own, in a network namespace
// of its own joined to the host by a veth pair (see platform-facts): a
// swarm may be made of it without touching the shared daemon.
type privateDocker struct {
	Host string // DOCKER_HOST of the daemon
	Addr string // its address, reachable from the host
	ns   string
	veth string
	dir  string
	cmd  *exec.Cmd
}

// startPrivateDocker starts a private daemon and stops it, with its
// namespace and files, when the test ends.
func startPrivateDocker(t *testing.T) *privateDocker {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a private Docker daemon needs root (network namespaces)")
	}
	n := 20 + (os.Getpid()+int(privateDockers.Add(1))*37)%200 // unique within this run and, likely, across runs
	d := &privateDocker{ns: fmt.Sprintf("qse2e%d", n), veth: fmt.Sprintf("qse2e%dh", n)}
	d.Addr = fmt.Sprintf("10.219.%d.2", n)
	dir, err := os.MkdirTemp("", "qs-dockerd-")
	require.NoError(t, err)
	d.dir = dir
	d.Host = "unix://" + filepath.Join(dir, "docker.sock")
	t.Cleanup(d.stop)
	host := fmt.Sprintf("10.219.%d.1/24", n)
	in := []string{"nsenter", "--net=/var/run/netns/" + d.ns}
	for _, c := range [][]string{
		{"ip", "netns", "add", d.ns},
		{"ip", "link", "add", d.veth, "type", "veth", "peer", "name", d.veth + "n"},
		{"ip", "link", "set", d.veth + "n", "netns", d.ns},
		{"ip", "addr", "add", host, "dev", d.veth},
		{"ip", "link", "set", d.veth, "up"},
		append(in, "ip", "addr", "add", d.Addr+"/24", "dev", d.veth+"n"),
		append(in, "ip", "link", "set", d.veth+"n", "up"),
		append(in, "ip", "link", "set", "lo", "up"),
	} {
		out, err := exec.Command(c[0], c[1:]...).CombinedOutput()
		require.NoError(t, err, "%v: %s", c, out)
	}
	d.cmd = exec.Command("nsenter", "--net=/var/run/netns/"+d.ns, "dockerd",
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"-H", d.Host, "--pidfile", filepath.Join(dir, "docker.pid"), "--bip", "172.31.251.1/24")
	logf, err := os.Create(filepath.Join(dir, "dockerd.log"))
	require.NoError(t, err)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	require.NoError(t, d.cmd.Start())
	waitFor(t, 30*time.Second, "the private Docker daemon", func() bool {
		return d.docker("info") == nil
	})
	return d
}

// docker runs the docker CLI against the private daemon.
func (d *privateDocker) docker(args ...string) error {
	_, err := d.dockerOut(args...)
	return err
}

// dockerOut runs the docker CLI against the private daemon.
func (d *privateDocker) dockerOut(args ...string) (string, error) {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.Host)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// stop leaves any swarm, stops the daemon, and removes its namespace and
// files.
func (d *privateDocker) stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		_ = d.docker("swarm", "leave", "--force")
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = d.cmd.Process.Kill()
			<-done
		}
	}
	_ = exec.Command("ip", "link", "del", d.veth).Run()
	_ = exec.Command("ip", "netns", "del", d.ns).Run()
	_ = exec.Command("umount", "-R", filepath.Join(d.dir, "data")).Run()
	_ = os.RemoveAll(d.dir)
}
