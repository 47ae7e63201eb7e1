package api

import "time"

// Me is who the caller is.
type Me struct {
	Name string `json:"name"`
	// User is the account's e-mail; "" for the server's owner.
	User string `json:"user,omitempty"`
	Role string `json:"role"`
	Via  string `json:"via"`
}

// Login is the body of POST /login.
type Login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// TokenName names the token made for the caller ("cli on laptop").
	TokenName string `json:"token_name,omitempty"`
}

// LoginResult carries the token made at login.
type LoginResult struct {
	Token  string `json:"token"`
	Secret string `json:"secret"`
	Me     Me     `json:"me"`
}

// User is an account as the API shows it.
type User struct {
	Email       string     `json:"email"`
	Role        string     `json:"role"`
	Disabled    bool       `json:"disabled"`
	HasPassword bool       `json:"has_password"`
	CreatedAt   time.Time  `json:"created_at"`
	LastSignIn  *time.Time `json:"last_sign_in,omitempty"`
}

// UserList lists users.
type UserList struct {
	Users []User `json:"users"`
}

// AddUser is the body of POST /users.
type AddUser struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// SetupLink is a one-time link that lets a user set their password.
type SetupLink struct {
	User string `json:"user"`
	URL  string `json:"url"`
}

// ChangeUser is the body of PATCH /users/{email}; absent fields stay.
type ChangeUser struct {
	Role     *string `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

// Token is an API token as listings show it: never its secret.
type Token struct {
	ID           int64      `json:"id"`
	User         string     `json:"user"`
	Name         string     `json:"name"`
	Prefix       string     `json:"prefix"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	LastUsedAt   *time.Time `json:"last_used_at,omitempty"`
	LastUsedFrom string     `json:"last_used_from,omitempty"`
	Revoked      bool       `json:"revoked"`
}

// TokenList lists tokens.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

// CreateToken is the body of POST /tokens.
type CreateToken struct {
	Name string `json:"name"`
	// ExpiresInSeconds is the token's lifetime; 0 never expires.
	ExpiresInSeconds int64 `json:"expires_in_seconds,omitempty"`
	// User makes the token for another user (admins only).
	User string `json:"user,omitempty"`
}

// CreatedToken is a new token with its secret, shown this once.
type CreatedToken struct {
	Token  Token  `json:"token"`
	Secret string `json:"secret"`
}

// AuditEntry is one entry of the audit log.
type AuditEntry struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	App     string    `json:"app,omitempty"`
	Target  string    `json:"target,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	From    string    `json:"from,omitempty"`
	Success bool      `json:"success"`
}

// AuditPage is a page of the audit log, newest first. NextBefore, when
// not zero, fetches the next page (?before=).
type AuditPage struct {
	Entries    []AuditEntry `json:"entries"`
	NextBefore int64        `json:"next_before,omitempty"`
}

// Webhook is where alerts are sent.
type Webhook struct {
	// URL is a secret: it is shown only to those who may change the
	// webhooks, and empty for others (viewers), who see Host.
	URL string `json:"url,omitempty"`
	// Host is the URL's host (and port); set in answers, ignored in
	// requests.
	Host string `json:"host,omitempty"`
	// Format is "json" (plain) or "slack".
	Format string `json:"format"`
}

// WebhookTestResult is the answer of a test alert: delivered, or not and
// why (the status the receiver answered, a refused address, a timeout, a
// DNS failure). The receiver's body is never included.
type WebhookTestResult struct {
	Delivered bool   `json:"delivered"`
	Reason    string `json:"reason,omitempty"`
}

// WebhookList is the webhooks of the server or of an app.
type WebhookList struct {
	Webhooks []Webhook `json:"webhooks"`
}

// MetricPoint is an app's figures over one interval.
type MetricPoint struct {
	Time        time.Time `json:"time"`
	Requests    float64   `json:"requests_per_second"`
	Errors      float64   `json:"errors_per_second"`
	LatencyP50  float64   `json:"latency_p50_seconds"`
	LatencyP95  float64   `json:"latency_p95_seconds"`
	CPUPercent  float64   `json:"cpu_percent"`
	MemoryBytes float64   `json:"memory_bytes"`
}

// Metrics is an app's recent history.
type Metrics struct {
	App    string        `json:"app"`
	Span   string        `json:"span"`
	Points []MetricPoint `json:"points"`
}

// SetupPassword is the body of POST /setup-password.
type SetupPassword struct {
	// Secret is the last part of the setup link.
	Secret   string `json:"secret"`
	Password string `json:"password"`
}

// MemberList names the users who may see an app (admins see every app).
type MemberList struct {
	Members []string `json:"members"`
}
