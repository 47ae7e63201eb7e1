package engine

import "context"

// Audit actions Accounts records. The other changes (push, deploy,
// rollback, config, scale, domains, keys) are recorded by their callers
// with the Action that authorises them or a name of the same shape.
const (
	AuditSignIn       = "signin"
	AuditSignInFailed = "signin.failed"
	AuditSignOut      = "signout"
	AuditUserAdd      = "user.add"
	AuditUserLink     = "user.link" // a new setup link
	AuditUserPassword = "user.password"
	AuditUserRole     = "user.role"
	AuditUserDisable  = "user.disable"
	AuditUserEnable   = "user.enable"
	AuditUserRemove   = "user.remove"
	AuditTokenCreate  = "token.create"
	AuditTokenRevoke  = "token.revoke"
	AuditAccessGrant  = "access.grant"
	AuditAccessRevoke = "access.revoke"
)

// maxAuditField bounds each text field of an entry, so that input such as
// a long e-mail typed into the sign-in form cannot bloat the log.
const maxAuditField = 1024

// Audit appends e to the audit log. A zero Time becomes now; an empty
// Actor or From is taken from the identity ctx carries (Actor "server"
// when it carries none).
func (a *Accounts) Audit(ctx context.Context, e AuditEntry) error {
	if e.Action == "" {
		return FieldError("action", "an audit entry needs an action")
	}
	if e.Time.IsZero() {
		e.Time = a.now()
	}
	id, ok := IdentityFrom(ctx)
	if e.Actor == "" {
		e.Actor = "server"
		if ok && id.Name != "" {
			e.Actor = id.Name
		}
	}
	if e.From == "" && ok {
		e.From = id.From
	}
	for _, f := range []*string{&e.Actor, &e.Action, &e.App, &e.Target, &e.Detail, &e.From} {
		*f = cut(*f, maxAuditField)
	}
	return a.cfg.Store.AddAudit(ctx, &e)
}

// ListAudit returns the entries q selects, newest first (see AuditStore).
// Use the smallest ID of a page as the next page's Before.
func (a *Accounts) ListAudit(ctx context.Context, q AuditQuery) ([]*AuditEntry, error) {
	if q.Limit < 0 || q.Before < 0 {
		return nil, FieldError("limit", "limit and before must not be negative")
	}
	return a.cfg.Store.ListAudit(ctx, q)
}

// cut shortens s to at most n bytes, on a UTF-8 boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
