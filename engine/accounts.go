package engine

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// AccountsStore is what Accounts persists to: users and their credentials,
// the audit log, and apps (to check access).
type AccountsStore interface {
	AccountStore
	AuditStore
	AppStore
}

// Hasher hashes passwords with a memory-hard hash (internal/password in
// production). Check returns nil when pw matches hash and an error when it
// does not or hash is malformed.
type Hasher interface {
	Hash(pw string) (string, error)
	Check(hash, pw string) error
}

// Defaults for AccountsConfig fields left zero.
const (
	DefaultSetupLinkTTL          = 72 * time.Hour
	DefaultSessionIdle           = 12 * time.Hour
	DefaultSessionMax            = 7 * 24 * time.Hour
	DefaultFailureWindow         = 15 * time.Minute
	DefaultMaxFailuresPerAccount = 5
	DefaultMaxFailuresPerAddress = 20
)

// AccountsConfig wires Accounts. Store and Hasher are required.
type AccountsConfig struct {
	Store  AccountsStore
	Hasher Hasher
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// SetupLinkTTL is how long a link to set a password stays valid.
	SetupLinkTTL time.Duration
	// SessionIdle ends a session not used for this long; SessionMax ends
	// any session this long after sign-in.
	SessionIdle, SessionMax time.Duration
	// Failed sign-ins are counted over FailureWindow. Once an address
	// reaches its maximum, its further attempts are refused until the
	// oldest failures leave the window. Once an account reaches its
	// maximum it is in lockout: only the right password gets in (a wrong
	// one is refused as throttled), and attempts from addresses that
	// failed lately are taken one at a time, each after LockedDelay, so
	// that a stranger's guesses cannot lock the owner out but are slowed
	// to about one per LockedDelay.
	FailureWindow         time.Duration
	MaxFailuresPerAccount int
	MaxFailuresPerAddress int
	LockedDelay           time.Duration
}

// Accounts manages users, their passwords, sessions and API tokens, which
// apps they may see, and the audit log. Its methods are safe for
// concurrent use. It checks input and the rules of accounts (a setup link
// works once, the last admin stays); callers check that the identity
// making a request may do it (RoleAllows, Authorize), except where a method
// takes the actor.
type Accounts struct {
	cfg       AccountsConfig
	log       *slog.Logger
	byAccount *throttle
	byAddress *throttle
	lockout   lockoutGate

	// adminMu serialises changes that could remove the last admin.
	adminMu sync.Mutex
	// holds is users' long-lived work, cut off when they lose rights.
	holds holds

	dummyOnce sync.Once
	dummyHash string
}

// NewAccounts returns Accounts with cfg's zero fields set to their
// defaults. It panics when Store or Hasher is nil.
func NewAccounts(cfg AccountsConfig) *Accounts {
	if cfg.Store == nil || cfg.Hasher == nil {
		panic("engine.NewAccounts: Store and Hasher are required")
	}
	cfg = cfg.withDefaults()
	return &Accounts{
		cfg:       cfg,
		log:       cfg.Logger,
		byAccount: newThrottle(cfg.MaxFailuresPerAccount, cfg.FailureWindow),
		byAddress: newThrottle(cfg.MaxFailuresPerAddress, cfg.FailureWindow),
	}
}

func (c AccountsConfig) withDefaults() AccountsConfig {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.SetupLinkTTL = orDuration(c.SetupLinkTTL, DefaultSetupLinkTTL)
	c.SessionIdle = orDuration(c.SessionIdle, DefaultSessionIdle)
	c.SessionMax = orDuration(c.SessionMax, DefaultSessionMax)
	c.FailureWindow = orDuration(c.FailureWindow, DefaultFailureWindow)
	c.LockedDelay = orDuration(c.LockedDelay, DefaultLockedDelay)
	if c.MaxFailuresPerAccount <= 0 {
		c.MaxFailuresPerAccount = DefaultMaxFailuresPerAccount
	}
	if c.MaxFailuresPerAddress <= 0 {
		c.MaxFailuresPerAddress = DefaultMaxFailuresPerAddress
	}
	return c
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// now is the current time in UTC.
func (a *Accounts) now() time.Time {
	return a.cfg.Now().UTC()
}

// NormalizeEmail is how Quayside compares e-mails: trimmed and lowercased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// record appends e to the audit log. The change it records has already
// happened, so a failure to record is logged rather than returned.
func (a *Accounts) record(ctx context.Context, e AuditEntry) {
	if err := a.Audit(ctx, e); err != nil {
		a.log.ErrorContext(ctx, "cannot write audit entry", "action", e.Action, "actor", e.Actor, "err", err)
	}
}
