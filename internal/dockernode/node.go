package dockernode

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// Node is one private Docker daemon in a network namespace of its own.
type Node struct {
	// Name is unique on the machine (qn + 6 hex digits); the netns, veth
	// and cgroup parent carry it.
	Name string
	// Socket is the path of the daemon's unix socket.
	Socket string
	// Addr is the node's end of the veth pair, HostAddr the host's end.
	// They are the only addresses that reach from one side to the other.
	Addr, HostAddr netip.Addr

	dataRoot, execRoot string
	lock               *os.File // see stale.go
	cmd                *exec.Cmd
	exited             chan struct{}
	mu                 sync.Mutex
	cli                *client.Client
}

// Option changes how Start starts a node.
type Option func(*config)

type config struct {
	startTimeout time.Duration
	extraArgs    []string
}

// WithStartTimeout sets how long Start waits for the daemon to answer
// (default 60 seconds).
func WithStartTimeout(d time.Duration) Option { return func(c *config) { c.startTimeout = d } }

// WithDaemonArgs appends arguments to the dockerd command line.
func WithDaemonArgs(args ...string) Option {
	return func(c *config) { c.extraArgs = append(c.extraArgs, args...) }
}

// baseDir holds the nodes' data-roots, on the same disk as the shared
// daemon's so overlay2 works and nothing is copied between file systems.
const baseDir = "/var/lib/quayside-testnodes"

// runBase holds the nodes' exec-roots; it is short because unix socket
// paths are limited to 108 bytes.
const runBase = "/run/qn"

// Start starts a node and registers its removal with t.Cleanup. It skips
// t when the machine cannot run one (not root; dockerd, ip or nsenter
// missing) and fails t when the daemon does not answer in time.
func Start(t testing.TB, opts ...Option) *Node {
	t.Helper()
	skipUnlessPossible(t)
	cfg := config{startTimeout: 60 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	sweepStale()
	n, err := newNode()
	if err != nil {
		t.Fatalf("dockernode: %v", err)
	}
	t.Cleanup(func() { n.remove(t) })
	if err := n.plumb(); err != nil {
		t.Fatalf("dockernode: %v", err)
	}
	if err := n.startDaemon(cfg); err != nil {
		t.Fatalf("dockernode: %v", err)
	}
	if err := n.waitReady(cfg.startTimeout); err != nil {
		t.Fatalf("dockernode: %v\n%s", err, n.LogTail(40))
	}
	return n
}

// skipUnlessPossible skips t when a node cannot start on this machine.
func skipUnlessPossible(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("dockernode: a private Docker daemon needs root (network namespaces, mounts)")
	}
	for _, bin := range []string{"dockerd", "ip", "nsenter", "unshare"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("dockernode: %s is not installed (apt-get install -y docker.io iproute2 util-linux)", bin)
		}
	}
}

// newNode picks a free name and address pair and makes the node's folders.
func newNode() (*Node, error) {
	name, host, node, err := allocate()
	if err != nil {
		return nil, err
	}
	n := &Node{Name: name, HostAddr: host, Addr: node, exited: make(chan struct{})}
	if n.lock, err = lockNode(name); err != nil {
		return nil, err
	}
	n.dataRoot = filepath.Join(baseDir, name)
	n.execRoot = filepath.Join(runBase, name)
	n.Socket = filepath.Join(n.execRoot, "docker.sock")
	for _, d := range []string{n.dataRoot, n.execRoot} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("make %s: %w", d, err)
		}
	}
	return n, nil
}

// startDaemon starts dockerd inside the node's network namespace.
func (n *Node) startDaemon(cfg config) error {
	logf, err := os.Create(n.logPath())
	if err != nil {
		return fmt.Errorf("create daemon log: %w", err)
	}
	defer logf.Close()
	// A UTS namespace of its own gives the node its own hostname (its
	// name), as a machine has: Swarm lists nodes by hostname. nsenter,
	// unshare and sh all exec, so the process is dockerd's.
	args := []string{"--net=" + n.netnsPath(), "--", "unshare", "--uts", "--",
		"sh", "-c", `hostname "$0" && exec dockerd "$@"`, n.Name}
	args = append(append(args, n.daemonArgs()...), cfg.extraArgs...)
	cmd := exec.Command("nsenter", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start dockerd: %w", err)
	}
	n.cmd = cmd
	go func() { _ = cmd.Wait(); close(n.exited) }()
	return nil
}

// daemonArgs is the node's dockerd command line: everything that could
// clash with the shared daemon is its own.
func (n *Node) daemonArgs() []string {
	return []string{
		"--data-root", filepath.Join(n.dataRoot, "docker"),
		"--exec-root", n.execRoot,
		"--pidfile", filepath.Join(n.execRoot, "docker.pid"),
		"--host", "unix://" + n.Socket,
		"--cgroup-parent", "/" + n.Name,
		"--storage-driver", "overlay2",
		"--iptables=true",
		"--userland-proxy=false",
		"--log-level", "warn",
	}
}

// waitReady polls the daemon until it answers a ping.
func (n *Node) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	cli := n.Client()
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return fmt.Errorf("dockerd of %s exited while starting", n.Name)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := cli.Ping(ctx)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("dockerd of %s did not answer within %s", n.Name, timeout)
}

// Client returns a client of the node's daemon (API version negotiated),
// the same one on every call; it is closed by the cleanup.
func (n *Node) Client() *client.Client {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cli == nil {
		cli, err := client.NewClientWithOpts(client.WithHost("unix://"+n.Socket), client.WithAPIVersionNegotiation())
		if err != nil {
			panic(fmt.Sprintf("dockernode: client of %s: %v", n.Socket, err)) // only a malformed host fails here
		}
		n.cli = cli
	}
	return n.cli
}

// NetNS is the name of the node's network namespace (under
// /var/run/netns): run a process there, as a server beside its Docker,
// with `nsenter --net=/var/run/netns/NAME`.
func (n *Node) NetNS() string { return n.Name }

// Host is the DOCKER_HOST value of the node's daemon.
func (n *Node) Host() string { return "unix://" + n.Socket }

// Kill makes the node die as a machine does: SIGKILL of its dockerd, its
// containerd and every container process, and every link of the node
// (to the host and to other nodes, see Link) goes down, so the rest of the
// cluster sees a node that stopped answering: packets to it vanish. The
// cleanup still removes everything afterwards.
func (n *Node) Kill(t testing.TB) {
	t.Helper()
	killTree(n.execRoot, n.cmd)
	<-n.exited
	out, err := exec.Command("ip", "-n", n.Name, "-o", "link", "show").Output()
	if err != nil {
		t.Errorf("dockernode: list the links of %s: %v", n.Name, err)
		return
	}
	for _, dev := range linkNames(string(out)) {
		if err := run("ip", "-n", n.Name, "link", "set", dev, "down"); err != nil {
			t.Errorf("dockernode: %v", err)
		}
	}
}

// linkNames reads the interface names from `ip -o link show`, leaving out
// lo and the node's own bridges (they die with its dockerd anyway).
func linkNames(out string) []string {
	var names []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		if name == "lo" || !strings.HasPrefix(name, "qn") {
			continue
		}
		names = append(names, name)
	}
	return names
}

func (n *Node) logPath() string   { return filepath.Join(n.dataRoot, "dockerd.log") }
func (n *Node) netnsPath() string { return "/var/run/netns/" + n.Name }
func (n *Node) hostVeth() string  { return n.Name + "h" }
func (n *Node) nodeVeth() string  { return n.Name + "n" }

// LogTail returns the last lines of the node's dockerd log.
func (n *Node) LogTail(lines int) string {
	b, err := os.ReadFile(n.logPath())
	if err != nil {
		return "(no dockerd log: " + err.Error() + ")"
	}
	return tail(string(b), lines)
}
