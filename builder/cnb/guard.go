package cnb

import (
	"fmt"
	"strings"

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
