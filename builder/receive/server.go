package receive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/unixsock"
)

// Server accepts git pushes over SSH and deploys them from the pre-receive
// hook. Serve it with ServeSSH and ServeHooks; Close stops both.
type Server struct {
	cfg    Config
	log    *slog.Logger
	git    string // absolute path of the git binary
	signer gossh.Signer
	ssh    *ssh.Server
	repos  *Repositories
	pushes *pushRegistry
	locks  *keyedMutex
	conns  *connLimiter

	// ctx is canceled by Close; every push derives from it.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	lns    map[net.Listener]struct{}
	wg     sync.WaitGroup // session and hook handlers
}

var _ engine.Repositories = (*Server)(nil)

// Timeouts of the SSH transport. The server sends keepalives during a push,
// so a silent build does not look idle.
const (
	sshIdleTimeout    = 2 * time.Minute
	keepAliveInterval = 30 * time.Second
	keyLookupTimeout  = 10 * time.Second
)

// New loads (or creates) the host key, creates ReposDir and returns a
// Server that is not yet serving.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("find git: %w", err)
	}
	signer, err := loadOrCreateHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	repos := cfg.Repos
	if repos == nil {
		if repos, err = newRepositories(cfg, git); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, log: cfg.Logger, git: git, signer: signer, repos: repos,
		pushes: newPushRegistry(), locks: newKeyedMutex(), conns: newConnLimiter(cfg.MaxConns, cfg.MaxConnsPerAddr),
		ctx: ctx, cancel: cancel, lns: make(map[net.Listener]struct{}),
	}
	s.ssh = s.newSSHServer()
	return s, nil
}

// newSSHServer configures gliderlabs/ssh: public keys only, sessions only
// (no forwarding, no subsystems, no PTY), connections capped and held to
// the handshake deadline until their command starts (sshconn.go).
func (s *Server) newSSHServer() *ssh.Server {
	return &ssh.Server{
		ConnCallback:      s.admit,
		Handler:           s.handleSession,
		PublicKeyHandler:  s.authorize,
		HostSigners:       []ssh.Signer{s.signer},
		Version:           "Quayside",
		IdleTimeout:       sshIdleTimeout,
		PtyCallback:       func(ssh.Context, ssh.Pty) bool { return false },
		ChannelHandlers:   map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler},
		RequestHandlers:   map[string]ssh.RequestHandler{},
		SubsystemHandlers: map[string]ssh.SubsystemHandler{},
		ServerConfigCallback: func(ssh.Context) *gossh.ServerConfig {
			return &gossh.ServerConfig{MaxAuthTries: 6}
		},
		ConnectionFailedCallback: func(c net.Conn, err error) {
			s.log.Debug("ssh handshake failed", "remote", c.RemoteAddr().String(), "err", err)
		},
	}
}

// HostKeyFingerprint returns the host key's SHA256 fingerprint as OpenSSH
// prints it, for users to check on their first connection.
func (s *Server) HostKeyFingerprint() string {
	return gossh.FingerprintSHA256(s.signer.PublicKey())
}

// HostPublicKey returns the host public key in authorized_keys format
// ("ssh-ed25519 AAAA..."), for known_hosts lines.
func (s *Server) HostPublicKey() string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.signer.PublicKey())))
}

// ServeSSH serves git pushes on ln until Close. It returns nil after Close.
func (s *Server) ServeSSH(ln net.Listener) error {
	if !s.addListener(ln) {
		return nil
	}
	defer s.removeListener(ln)
	err := s.ssh.Serve(ln)
	if s.isClosed() || errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serve ssh: %w", err)
}

// ListenHookSocket listens on cfg.HookSocket for ServeHooks: the socket is
// made 0600 in a directory created 0700 if missing. A stale socket file is
// replaced; one another process still serves is an error.
func (s *Server) ListenHookSocket() (net.Listener, error) {
	return unixsock.Listen(s.cfg.HookSocket)
}

// Close stops serving, cancels the pushes in flight (their deploys see a
// canceled context and git gets SIGTERM) and waits for their handlers to
// return. Pushes in flight are rejected; no ref moves.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	lns := make([]net.Listener, 0, len(s.lns))
	for ln := range s.lns {
		lns = append(lns, ln)
	}
	s.mu.Unlock()

	s.cancel()
	err := s.ssh.Close()
	for _, ln := range lns {
		ln.Close()
	}
	s.wg.Wait()
	return err
}

// track registers a handler with Close; false once the server is closed.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *Server) addListener(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		ln.Close()
		return false
	}
	s.lns[ln] = struct{}{}
	return true
}

func (s *Server) removeListener(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.lns, ln)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// RemoveRepository deletes an app's repository; a missing one is not an
// error. It implements engine.Repositories.
func (s *Server) RemoveRepository(ctx context.Context, app string) error {
	return s.repos.remove(ctx, app)
}
