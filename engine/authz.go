// The rules of authorization, in one place: which role may do what
// (roleActions, RoleAllows), who may see an app (CanSee, VisibleApps),
// how a request is checked (Authorize, authorize), and the rules that are
// not a role's action alone (grantCreator, mayManageCredentialsOf,
// mayChooseBuilder, mayExceedLimitCeilings). The routes of the API
// (ui/routes.go) name the Action each one is authorized for; the engine
// method a route calls checks it.
// Without an identity in ctx (the engine's own work) everything is allowed.

package engine

import (
	"context"
	"slices"
)

// Action is what a request asks to do; roles allow actions.
type Action string

// Actions. App actions also need access to the app (see CanSee).
const (
	ActReadApp      Action = "app.read"      // apps, releases, processes, domains, events, config keys
	ActCreateApp    Action = "app.create"    // create (or first-push) an app
	ActDestroyApp   Action = "app.destroy"   // destroy an app
	ActDeploy       Action = "app.deploy"    // push, rollback, run one-offs
	ActRevealConfig Action = "config.reveal" // read config values
	ActChangeConfig Action = "config.change"
	ActScale        Action = "app.scale"
	ActDomains      Action = "app.domains"  // domains, HTTPS, basic auth, maintenance
	ActSettings     Action = "app.settings" // checks, branch, builder, build cache
	ActReadLogs     Action = "app.logs"     // logs and metrics
	ActManageAccess Action = "app.access"   // grant and revoke app access
	ActOwnAccount   Action = "account.own"  // one's own tokens, keys and password
	ActManageUsers  Action = "users.manage" // users, everyone's keys and tokens
	ActReadAudit    Action = "audit.read"
	ActServer       Action = "server" // server-wide settings and metrics
)

// roleActions lists what each role may do.
var roleActions = map[string]map[Action]bool{
	RoleViewer: {ActReadApp: true, ActReadLogs: true, ActOwnAccount: true},
	RoleDeveloper: {ActReadApp: true, ActReadLogs: true, ActOwnAccount: true, ActCreateApp: true,
		ActDeploy: true, ActRevealConfig: true, ActChangeConfig: true, ActScale: true,
		ActDomains: true, ActSettings: true},
}

// RoleAllows reports whether role may do act. Admins may do everything.
func RoleAllows(role string, act Action) bool {
	if role == RoleAdmin {
		return true
	}
	return roleActions[role][act]
}

// authorize checks the identity ctx carries against act on app. Without
// access control, or for the engine's own work (no identity), it allows.
func (e *Engine) authorize(ctx context.Context, act Action, app string) error {
	if e.cfg.Access == nil {
		return nil
	}
	id, ok := IdentityFrom(ctx)
	if !ok {
		return nil
	}
	err := e.cfg.Access.Authorize(ctx, id, act, app)
	if ErrorCode(err) == EFORBIDDEN {
		e.audit(ctx, "denied."+string(act), app, "", "", err)
	}
	return err
}

// grantCreator lets a non-admin user who creates an app see it.
func (e *Engine) grantCreator(ctx context.Context, app string) error {
	if e.cfg.Access == nil {
		return nil
	}
	id, ok := IdentityFrom(ctx)
	if !ok || id.User == "" || id.Role == RoleAdmin {
		return nil
	}
	return e.cfg.Access.Grant(ctx, app, id.User)
}

// CanSee reports whether id may see app: admins (and the server's owner)
// see every app, other users the apps they have been granted. It does not
// check that app exists.
func (a *Accounts) CanSee(ctx context.Context, id Identity, app string) (bool, error) {
	if id.Role == RoleAdmin {
		return true, nil
	}
	apps, err := a.appsOf(ctx, id)
	if err != nil {
		return false, err
	}
	return slices.Contains(apps, app), nil
}

// VisibleApps returns the apps of apps that id may see, in the same order.
func (a *Accounts) VisibleApps(ctx context.Context, id Identity, apps []*App) ([]*App, error) {
	if id.Role == RoleAdmin {
		return apps, nil
	}
	granted, err := a.appsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []*App{}
	for _, app := range apps {
		if slices.Contains(granted, app.Name) {
			out = append(out, app)
		}
	}
	return out, nil
}

// appsOf is what id has been granted; nothing for an identity without a
// user or whose user is gone.
func (a *Accounts) appsOf(ctx context.Context, id Identity) ([]string, error) {
	if id.User == "" {
		return nil, nil
	}
	apps, err := a.cfg.Store.AppsOf(ctx, NormalizeEmail(id.User))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	return apps, err
}

// Authorize returns nil when id may do act, on app when app is not "". An
// identity without a role is EUNAUTHORIZED; an app id cannot see is
// ENOTFOUND, exactly as if it did not exist; an action id's role does not
// allow is EFORBIDDEN.
func (a *Accounts) Authorize(ctx context.Context, id Identity, act Action, app string) error {
	if id.Role == "" {
		return Errorf(EUNAUTHORIZED, "sign in first")
	}
	if app != "" {
		ok, err := a.CanSee(ctx, id, app)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENOTFOUND, "app %q not found", app)
		}
	}
	if !RoleAllows(id.Role, act) {
		return Errorf(EFORBIDDEN, "your role (%s) does not allow this (%s): ask an admin", id.Role, act)
	}
	return nil
}

// mayManageCredentialsOf reports whether actor may list and manage the
// API tokens and SSH keys of user: admins anyone's, other users their own.
func mayManageCredentialsOf(actor Identity, user string) bool {
	if actor.Role == RoleAdmin {
		return true
	}
	return user != "" && user == NormalizeEmail(actor.User)
}

// mayChooseBuilder reports whether id may set an app's builder to image:
// admins any image, other roles those p allows (BuilderPolicy.Allows).
func mayChooseBuilder(id Identity, p BuilderPolicy, image string) bool {
	return id.Role == RoleAdmin || p.Allows(image)
}

// mayExceedLimitCeilings reports whether id may give a process type more
// than the server's ceilings (Config.MaxLimits): admins only, as they
// answer for the host anyway.
func mayExceedLimitCeilings(id Identity) bool {
	return id.Role == RoleAdmin
}
