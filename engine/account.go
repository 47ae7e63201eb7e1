package engine

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Roles, from most to least powerful.
const (
	// RoleAdmin may do everything, including users and server settings.
	RoleAdmin = "admin"
	// RoleDeveloper may deploy, change config, roll back, scale, manage
	// domains and read logs and metrics of the apps it has access to.
	RoleDeveloper = "developer"
	// RoleViewer may read the apps it has access to, nothing else.
	RoleViewer = "viewer"
)

// User is a person with an account.
type User struct {
	Email string
	Role  string
	// PasswordHash is a memory-hard hash; "" until the user sets a password.
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	LastSignIn   time.Time
}

// Token is an API token. Its secret is shown once and stored only hashed.
type Token struct {
	ID   int64
	User string // email
	Name string
	// Hash is the SHA-256 of the secret, hex.
	Hash string
	// Prefix is the secret's first characters, to recognise it in listings.
	Prefix       string
	CreatedAt    time.Time
	ExpiresAt    time.Time // zero: never
	LastUsedAt   time.Time
	LastUsedFrom string
	Revoked      bool
}

// Session is a signed-in browser. Its ID is stored only hashed.
type Session struct {
	IDHash    string
	User      string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
	From      string
}

// SetupLink is a one-time link that lets a user set a password. Its
// secret is stored only hashed.
type SetupLink struct {
	Hash      string
	User      string
	ExpiresAt time.Time
	UsedAt    time.Time
}

// AuditEntry records one change, or one sign-in attempt.
type AuditEntry struct {
	ID     int64
	Time   time.Time
	Actor  string // user email, SSH key name, or "server"
	Action string // "app.create", "config.set", "signin.failed", ...
	App    string
	// Target names what else the action touched (a user, a token, a domain).
	Target  string
	Detail  string
	From    string // remote address
	Success bool
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	App, Actor string
	Since      time.Time
	Before     int64 // entries with a smaller ID; 0: no bound
	Limit      int
}

// AccountStore persists users, tokens, sessions, setup links and app access.
// Lookups of missing things return ENOTFOUND; duplicates ECONFLICT.
type AccountStore interface {
	CreateUser(ctx context.Context, u *User) error
	FindUser(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error // Role, PasswordHash, Disabled, LastSignIn
	DeleteUser(ctx context.Context, email string) error

	CreateToken(ctx context.Context, t *Token) error // sets ID and CreatedAt
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	ListTokens(ctx context.Context, user string) ([]*Token, error) // user "" = all
	TouchToken(ctx context.Context, id int64, at time.Time, from string) error
	RevokeToken(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, idHash string) (*Session, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteUserSessions(ctx context.Context, user string) error

	CreateSetupLink(ctx context.Context, l *SetupLink) error
	// UseSetupLink marks the link used and returns it; ENOTFOUND when it is
	// unknown, used or expired.
	UseSetupLink(ctx context.Context, hash string, at time.Time) (*SetupLink, error)
	// CheckSetupLink changes nothing: it returns ENOTFOUND when the link is
	// unknown, used or expired at at, as UseSetupLink would, and nil when
	// it could be used.
	CheckSetupLink(ctx context.Context, hash string, at time.Time) error

	GrantAccess(ctx context.Context, app, user string) error
	RevokeAccess(ctx context.Context, app, user string) error
	// AppsOf lists the apps user has been granted.
	AppsOf(ctx context.Context, user string) ([]string, error)
	// Members lists the users granted app.
	Members(ctx context.Context, app string) ([]string, error)
}

// AuditStore is append-only: entries are never changed or deleted, not
// even when their app or user goes (the store enforces it).
type AuditStore interface {
	AddAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, q AuditQuery) ([]*AuditEntry, error)
}

var emailRe = regexp.MustCompile(`^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$`)

// ValidateEmail reports whether email looks like an e-mail address.
func ValidateEmail(email string) error {
	if !emailRe.MatchString(email) || strings.ContainsAny(email, "<>\"',;") {
		return FieldError("email", "%q is not an e-mail address", email)
	}
	return nil
}

// ValidateRole reports whether role is one of the roles.
func ValidateRole(role string) error {
	switch role {
	case RoleAdmin, RoleDeveloper, RoleViewer:
		return nil
	}
	return FieldError("role", "%q is not a role: use admin, developer or viewer", role)
}
