package cnb

import (
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/docker/docker/api/types/container"
)

// containerSocket is where pack mounts the daemon's socket in a container.
const containerSocket = "/var/run/docker.sock"

// guardDaemon makes d refuse to create any container that would reach the
// Docker daemon at socket (a unix socket path; "" when the daemon is not
// reached through one) unless it runs pack's ephemeral lifecycle image.
// Untrusted builds use it so that, whatever pack does, no container of the
// builder image gets the daemon.
func (d *packDocker) guardDaemon(socket string) {
	d.guarded = true
	d.socket = socket
}

// checkDaemonAccess returns an error when the guard is on and a container
// of cfg and host would reach the daemon from an image other than pack's
// ephemeral lifecycle image.
func (d *packDocker) checkDaemonAccess(cfg *container.Config, host *container.HostConfig) error {
	if !d.guarded || cfg == nil || strings.HasPrefix(cfg.Image, ephemeralLifecyclePrefix) || !givesDaemon(cfg, host, d.socket) {
		return nil
	}
	return fmt.Errorf("create container: refused to give the Docker daemon to a container of %s in an untrusted build", cfg.Image)
}

// daemonSocket returns the socket path of a unix:// daemon host, else "".
func daemonSocket(host string) string {
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return ""
	}
	return path
}

// givesDaemon reports whether a container of cfg and host would reach the
// Docker daemon: a bind or mount of its socket (or of any docker.sock, or
// onto containerSocket), or a DOCKER_HOST in its environment.
func givesDaemon(cfg *container.Config, host *container.HostConfig, socket string) bool {
	for _, env := range cfg.Env {
		if strings.HasPrefix(env, "DOCKER_HOST=") {
			return true
		}
	}
	if host == nil {
		return false
	}
	isSocket := func(src, dst string) bool {
		return (socket != "" && src == socket) || strings.HasSuffix(src, "docker.sock") || dst == containerSocket
	}
	for _, bind := range host.Binds {
		parts := strings.Split(bind, ":")
		if len(parts) >= 2 && isSocket(parts[0], parts[1]) {
			return true
		}
	}
	for _, m := range host.Mounts {
		if isSocket(m.Source, m.Target) {
			return true
		}
	}
	return false
}

// socketOpen reports whether the daemon's unix socket at path is open to
// more than its owner and a group of its own: to everyone, or to group
// root. The lifecycle runs buildpacks with root's supplementary group 0
// kept, so a trusted build, whose one container has the socket, would hand
// such a socket to buildpack code (and to whatever the app's build runs).
// A socket it cannot inspect, or no path, counts as not open.
func socketOpen(path string) bool {
	if path == "" {
		return false
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	mode := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	return mode&0o006 != 0 || (ok && st.Gid == 0 && mode&0o060 != 0)
}
