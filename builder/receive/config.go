package receive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/quayside/quayside/engine"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxPushBytes = 1 << 30
	DefaultPushTimeout  = 30 * time.Minute
)

// KeyFinder finds the SSH key allowed to push by its fingerprint
// ("SHA256:..." as ssh.FingerprintSHA256 prints it). It returns *engine.Error
// with ENOTFOUND for an unknown key. engine.KeyStore satisfies it.
type KeyFinder interface {
	FindKeyByFingerprint(ctx context.Context, fingerprint string) (*engine.Key, error)
}

// Deployer is what a push drives. The engine implements it.
type Deployer interface {
	// PreparePush runs before git receives anything: it validates the app
	// name, creates the app on its first push and refuses (with *engine.Error)
	// when the app is being destroyed. The error's message is shown to the
	// pusher.
	PreparePush(ctx context.Context, app, author string) error
	// Push builds and deploys one pushed commit while git waits. A nil error
	// lets the ref move; any error rejects the push and its user message
	// (engine.ErrorMessage) is shown to the pusher. req.Source is valid only
	// until Push returns; ctx is canceled when the pusher goes away, the push
	// times out or the server closes.
	Push(ctx context.Context, req engine.PushRequest) (*engine.Release, error)
	// DeleteBranch decides about a push that deletes ref of app (a full
	// ref name): a nil error lets the branch go, and the deployer has
	// removed what it deployed from it (a preview).
	DeleteBranch(ctx context.Context, app, ref string) error
}

// Config configures a Server.
type Config struct {
	// ReposDir holds the bare repositories, one per app: <ReposDir>/<app>.git.
	ReposDir string
	// HostKeyPath is the SSH host key (ed25519, OpenSSH PEM). It is generated
	// on first start and reused afterwards, so the fingerprint never changes.
	HostKeyPath string
	// HookSocket is the unix socket the pre-receive hook calls back on. The
	// hook script exports it to the hook as EnvHookSocket.
	HookSocket string
	// HookCommand is the argv the pre-receive hook script execs, such as
	// ["/usr/local/bin/quayside", "hook", "pre-receive"]. That command must
	// call RunHook.
	HookCommand []string
	// Keys authenticates pushers.
	Keys KeyFinder
	// Deployer builds and deploys pushes.
	Deployer Deployer
	// Repos, when set, are the repositories to push to, opened with
	// OpenRepositories from this Config (so that the Deployer can be built
	// with them first); New opens its own when nil.
	Repos *Repositories
	// Identify, when set, turns the key of an SSH push into the identity
	// the push acts as (the key's user and role); its error refuses the
	// push. Without it a push carries no identity.
	Identify func(ctx context.Context, k *engine.Key, from string) (engine.Identity, error)
	// Hold, when set, registers a push as long-lived work of the identity
	// its context carries (engine.Accounts.Hold): the returned context ends,
	// with an *engine.Error cause, when that user is disabled, demoted or
	// removed, and the push is then rejected. The push calls the returned
	// function when it ends.
	Hold func(ctx context.Context) (context.Context, context.CancelFunc)
	// MaxPushBytes caps the pack a push may send (git's receive.maxInputSize);
	// DefaultMaxPushBytes when zero.
	MaxPushBytes int64
	// PushTimeout caps one push from connection to deploy; DefaultPushTimeout
	// when zero.
	PushTimeout time.Duration
	// HandshakeTimeout is how long an SSH client has, from connecting, to
	// finish the handshake, authenticate and start its command; it is cut
	// off then. DefaultHandshakeTimeout when zero.
	HandshakeTimeout time.Duration
	// MaxConns caps the SSH connections open at once, MaxConnsPerAddr
	// those from one IP address; more are closed at once.
	// DefaultMaxConns and DefaultMaxConnsPerAddr when zero.
	MaxConns, MaxConnsPerAddr int
	// Logger may be nil.
	Logger *slog.Logger
}

// withDefaults validates c and returns it with defaults filled in and the
// paths made absolute (git and the hook run in other directories).
func (c Config) withDefaults() (Config, error) {
	c, err := c.repoDefaults()
	if err != nil {
		return c, err
	}
	if c.HostKeyPath == "" || c.Keys == nil || c.Deployer == nil {
		return c, errors.New("receive: HostKeyPath, Keys and Deployer are required")
	}
	if c.PushTimeout < 0 || c.HandshakeTimeout < 0 || c.MaxConns < 0 || c.MaxConnsPerAddr < 0 {
		return c, errors.New("receive: PushTimeout, HandshakeTimeout, MaxConns and MaxConnsPerAddr must not be negative")
	}
	if c.HostKeyPath, err = filepath.Abs(c.HostKeyPath); err != nil {
		return c, fmt.Errorf("make path absolute: %w", err)
	}
	if c.PushTimeout == 0 {
		c.PushTimeout = DefaultPushTimeout
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// repoDefaults validates and completes what the repositories use:
// ReposDir, HookSocket (made absolute), HookCommand and MaxPushBytes.
func (c Config) repoDefaults() (Config, error) {
	if c.ReposDir == "" || c.HookSocket == "" || len(c.HookCommand) == 0 {
		return c, errors.New("receive: ReposDir, HookSocket and HookCommand are required")
	}
	if c.MaxPushBytes < 0 {
		return c, errors.New("receive: MaxPushBytes must not be negative")
	}
	var err error
	for _, p := range []*string{&c.ReposDir, &c.HookSocket} {
		if *p, err = filepath.Abs(*p); err != nil {
			return c, fmt.Errorf("make path absolute: %w", err)
		}
	}
	if c.MaxPushBytes == 0 {
		c.MaxPushBytes = DefaultMaxPushBytes
	}
	return c, nil
}
