package engine

import "context"

// AccessControl decides who may do what and records changes. *Accounts
// implements it.
type AccessControl interface {
	// Authorize returns nil when id may do act (on app, when not "").
	Authorize(ctx context.Context, id Identity, act Action, app string) error
	// Grant lets user see app.
	Grant(ctx context.Context, app, user string) error
	// VisibleApps filters apps down to those id may see.
	VisibleApps(ctx context.Context, id Identity, apps []*App) ([]*App, error)
	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
}

var _ AccessControl = (*Accounts)(nil)

// audit records a change made through the engine; failures are logged,
// never returned: the change itself happened.
func (e *Engine) audit(ctx context.Context, action, app, target, detail string, err error) {
	if e.cfg.Access == nil {
		return
	}
	entry := AuditEntry{Action: action, App: app, Target: target, Detail: detail, Success: err == nil}
	if err != nil {
		entry.Detail = firstLine(ErrorMessage(err))
	}
	if aerr := e.cfg.Access.Audit(context.WithoutCancel(ctx), entry); aerr != nil {
		e.log.Error("write audit entry", "action", action, "app", app, "err", aerr)
	}
}

// actor names who makes the change ctx carries, or fallback.
func actor(ctx context.Context, fallback string) string {
	if id, ok := IdentityFrom(ctx); ok && id.Name != "" {
		return id.Name
	}
	return fallback
}

// Audit actions of engine changes.
const (
	AuditAppCreate    = "app.create"
	AuditAppDestroy   = "app.destroy"
	AuditPush         = "push"
	AuditRollback     = "rollback"
	AuditConfigChange = "config.change"
	AuditScale        = "scale"
	AuditRun          = "run"
	AuditDomainAdd    = "domain.add"
	AuditDomainRemove = "domain.remove"
	AuditEdge         = "app.edge"
	AuditSettings     = "app.settings"
	AuditKeyAdd       = "key.add"
	AuditKeyRemove    = "key.remove"
)
