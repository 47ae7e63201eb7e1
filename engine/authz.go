package engine

import "context"

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

// Identity is who makes a request.
type Identity struct {
	// Name is shown in releases and the audit log: an e-mail, an SSH key
	// name, or "server" for the control socket's owner.
	Name string
	// User is the account's e-mail; "" for the server's owner.
	User string
	Role string
	// Via says how the request arrived: "socket", "session", "token", "ssh".
	Via  string
	From string
}

// ServerIdentity is the owner of the server, on its control socket.
func ServerIdentity(name string) Identity {
	return Identity{Name: name, Role: RoleAdmin, Via: "socket"}
}

type identityKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity ctx carries.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
