package ui

import (
	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// Rules for routes that need no role action.
const (
	// Public routes answer anyone (sign-in, the API's description).
	Public engine.Action = "public"
	// SignedIn routes answer any identity; the handler decides further.
	SignedIn engine.Action = "signed-in"
)

// route is one API endpoint and what a caller must be allowed to do to
// reach it. Routes under /apps/:app are also checked against the app: an
// app the caller cannot see is 404.
type route struct {
	method, path string
	rule         engine.Action
	handler      func(*Server) echo.HandlerFunc
	summary      string
}

// apiRoutes is the one list of API endpoints, their rules and their
// descriptions (openapi.json is made from it).
var apiRoutes = []route{
	{"GET", "/status", SignedIn, h((*Server).status), "Describe the server"},
	{"GET", "/openapi.json", Public, h((*Server).openAPI), "This API's OpenAPI description"},
	{"POST", "/login", Public, h((*Server).login), "Exchange an e-mail and password for an API token"},
	{"POST", "/setup-password", Public, h((*Server).setupPassword), "Set one's password with a one-time setup link's secret"},
	{"GET", "/me", SignedIn, h((*Server).me), "Who the caller is"},
	{"GET", "/apps", engine.ActReadApp, h((*Server).listApps), "List the apps the caller can see"},
	{"POST", "/apps", engine.ActCreateApp, h((*Server).createApp), "Create an app"},
	{"GET", "/apps/:app", engine.ActReadApp, h((*Server).getApp), "Show an app"},
	{"PATCH", "/apps/:app", engine.ActSettings, h((*Server).updateApp), "Change an app's settings"},
	{"DELETE", "/apps/:app", engine.ActDestroyApp, h((*Server).destroyApp), "Destroy an app"},
	{"GET", "/apps/:app/releases", engine.ActReadApp, h((*Server).listReleases), "List an app's releases"},
	{"GET", "/apps/:app/releases/:number/output", engine.ActReadApp, h((*Server).releaseOutput), "A release's build and deploy output"},
	{"GET", "/apps/:app/events", engine.ActReadApp, h((*Server).listEvents), "List an app's events"},
	{"GET", "/apps/:app/logs", engine.ActReadLogs, h((*Server).getLogs), "Read (or follow) an app's logs"},
	{"GET", "/apps/:app/logs/ws", engine.ActReadLogs, h((*Server).logsWebSocket), "Follow an app's logs over a WebSocket"},
	{"GET", "/apps/:app/metrics", engine.ActReadLogs, h((*Server).appMetrics), "An app's request and resource history"},
	{"GET", "/apps/:app/config", engine.ActReadApp, h((*Server).getConfig), "Show an app's config (values with reveal=true)"},
	{"PATCH", "/apps/:app/config", engine.ActChangeConfig, h((*Server).changeConfig), "Set and unset config values"},
	{"POST", "/apps/:app/rollback", engine.ActDeploy, h((*Server).rollback), "Roll back to an earlier release"},
	{"POST", "/apps/:app/redeploy", engine.ActDeploy, h((*Server).redeploy), "Deploy the current release again (same image and config)"},
	{"POST", "/apps/:app/restart", engine.ActDeploy, h((*Server).restart), "Replace the containers of one process type"},
	{"POST", "/apps/:app/promote", engine.ActDeploy, h((*Server).promote), "Release another app's current image (a staging app, a preview) with this app's config"},
	{"GET", "/apps/:app/ps", engine.ActReadApp, h((*Server).listProcesses), "List an app's processes"},
	{"POST", "/apps/:app/scale", engine.ActScale, h((*Server).scale), "Scale an app's process types"},
	{"PATCH", "/apps/:app/limits", engine.ActScale, h((*Server).setLimits), "Set a process type's memory, CPU and process limits"},
	{"POST", "/apps/:app/run", engine.ActDeploy, h((*Server).runOneOff), "Run a one-off command"},
	{"GET", "/apps/:app/cron", engine.ActReadApp, h((*Server).listCronJobs), "List an app's scheduled jobs"},
	{"POST", "/apps/:app/cron", engine.ActDeploy, h((*Server).addCronJob), "Add a scheduled job"},
	{"PATCH", "/apps/:app/cron/:job", engine.ActDeploy, h((*Server).changeCronJob), "Pause or resume a scheduled job"},
	{"DELETE", "/apps/:app/cron/:job", engine.ActDeploy, h((*Server).removeCronJob), "Remove a scheduled job added by hand"},
	{"POST", "/apps/:app/cron/:job/run", engine.ActDeploy, h((*Server).runCronJob), "Start a run of a scheduled job now"},
	{"GET", "/apps/:app/cron-runs", engine.ActReadApp, h((*Server).listCronRuns), "List the runs of an app's scheduled jobs (job=NAME for one)"},
	{"GET", "/apps/:app/addons", engine.ActReadApp, h((*Server).listAddons), "List the add-ons (Postgres, Redis) an app owns or is attached to"},
	{"POST", "/apps/:app/addons", engine.ActDeploy, h((*Server).createAddon), "Create an add-on and give the app its URL in a config release"},
	{"GET", "/apps/:app/addons/:addon", engine.ActReadApp, h((*Server).getAddon), "Show an add-on (its URL with reveal=true)"},
	{"PATCH", "/apps/:app/addons/:addon", engine.ActDeploy, h((*Server).changeAddon), "Change how many daily backups an add-on keeps"},
	{"DELETE", "/apps/:app/addons/:addon", engine.ActDestroyApp, h((*Server).destroyAddon), "Destroy an add-on and its data (a final backup is kept unless no_backup=true)"},
	{"GET", "/apps/:app/addons/:addon/logs", engine.ActReadLogs, h((*Server).addonLogs), "Read an add-on's logs"},
	{"GET", "/apps/:app/addons/:addon/backups", engine.ActReadApp, h((*Server).listAddonBackups), "List an add-on's backups"},
	{"POST", "/apps/:app/addons/:addon/backups", engine.ActDeploy, h((*Server).backupAddon), "Take a backup of an add-on now"},
	{"POST", "/apps/:app/addons/:addon/restore", engine.ActDestroyApp, h((*Server).restoreAddon), "Replace an add-on's live data with one of its backups"},
	{"POST", "/apps/:app/addons/:addon/expose", engine.ActDestroyApp, h((*Server).exposeAddon), "Publish an add-on's port on the host (loopback unless public=true), or stop with to=\"\""},
	{"POST", "/apps/:app/addons/:addon/upgrade", engine.ActDestroyApp, h((*Server).upgradeAddon), "Move an add-on to a newer major version (dump, new version, restore), or remove the volumes kept from before"},
	{"POST", "/apps/:app/addons/:addon/restore-into", engine.ActDeploy, h((*Server).restoreAddonInto), "Restore one of an add-on's backups into a new add-on of the app"},
	{"POST", "/apps/:app/addons/:addon/shell", engine.ActRevealConfig, h((*Server).addonShell), "Run psql or redis-cli once in an add-on with the given input"},
	{"POST", "/apps/:app/attachments", engine.ActChangeConfig, h((*Server).attachAddon), "Give the app the URL of another app's add-on"},
	{"POST", "/apps/:app/attachments/detach", engine.ActChangeConfig, h((*Server).detachAddon), "Take another app's add-on from the app"},
	{"POST", "/apps/:app/attachments/promote", engine.ActChangeConfig, h((*Server).promoteAddon), "Make an add-on the app's primary one of its kind (DATABASE_URL)"},
	{"DELETE", "/apps/:app/build-cache", engine.ActSettings, h((*Server).clearBuildCache), "Clear an app's build cache"},
	{"GET", "/apps/:app/domains", engine.ActReadApp, h((*Server).listDomains), "List an app's domains and certificates"},
	{"POST", "/apps/:app/domains", engine.ActDomains, h((*Server).addDomain), "Add a custom domain"},
	{"DELETE", "/apps/:app/domains/:host", engine.ActDomains, h((*Server).removeDomain), "Remove a custom domain"},
	{"PATCH", "/apps/:app/edge", engine.ActDomains, h((*Server).changeEdge), "Change HTTPS redirect, HSTS and maintenance"},
	{"PUT", "/apps/:app/basic-auth", engine.ActDomains, h((*Server).setBasicAuth), "Protect an app with a password"},
	{"DELETE", "/apps/:app/basic-auth", engine.ActDomains, h((*Server).removeBasicAuth), "Remove an app's password"},
	{"GET", "/apps/:app/members", engine.ActReadApp, h((*Server).listMembers), "List the users who may see an app"},
	{"PUT", "/apps/:app/members/:email", engine.ActManageAccess, h((*Server).addMember), "Let a user see an app"},
	{"DELETE", "/apps/:app/members/:email", engine.ActManageAccess, h((*Server).removeMember), "Stop a user seeing an app"},
	{"GET", "/apps/:app/alerts", engine.ActReadApp, h((*Server).listAppAlerts), "List an app's webhooks"},
	{"PUT", "/apps/:app/alerts", engine.ActSettings, h((*Server).setAppAlerts), "Replace an app's webhooks"},
	{"POST", "/apps/:app/alerts/test", engine.ActSettings, h((*Server).testAppAlert), "Send a test alert to a webhook of an app"},
	{"POST", "/alerts/test", engine.ActServer, h((*Server).testServerAlert), "Send a test alert to a server-wide webhook"},
	{"GET", "/alerts", engine.ActServer, h((*Server).listServerAlerts), "List the server's webhooks"},
	{"PUT", "/alerts", engine.ActServer, h((*Server).setServerAlerts), "Replace the server's webhooks"},
	{"GET", "/ca/root.pem", Public, h((*Server).caRoot), "The local CA's root certificate"},
	{"GET", "/keys", engine.ActOwnAccount, h((*Server).listKeys), "List SSH keys (one's own; all for admins)"},
	{"POST", "/keys", engine.ActOwnAccount, h((*Server).addKey), "Add an SSH key"},
	{"DELETE", "/keys/:name", engine.ActOwnAccount, h((*Server).removeKey), "Remove an SSH key"},
	{"GET", "/users", engine.ActManageUsers, h((*Server).listUsers), "List users"},
	{"POST", "/users", engine.ActManageUsers, h((*Server).addUser), "Add a user; answers a one-time setup link"},
	{"PATCH", "/users/:email", engine.ActManageUsers, h((*Server).changeUser), "Change a user's role or disable them"},
	{"DELETE", "/users/:email", engine.ActManageUsers, h((*Server).removeUser), "Remove a user"},
	{"POST", "/users/:email/setup-link", engine.ActManageUsers, h((*Server).newSetupLink), "Make a new setup link for a user"},
	{"GET", "/tokens", engine.ActOwnAccount, h((*Server).listTokens), "List API tokens (one's own; any user's for admins)"},
	{"POST", "/tokens", engine.ActOwnAccount, h((*Server).createToken), "Create an API token; its secret is shown once"},
	{"DELETE", "/tokens/:id", engine.ActOwnAccount, h((*Server).revokeToken), "Revoke an API token"},
	{"GET", "/audit", engine.ActReadAudit, h((*Server).listAudit), "Read the audit log"},
	{"GET", "/previews", engine.ActReadApp, h((*Server).listAllPreviews), "List the previews of every app the caller can see"},
	{"GET", "/apps/:app/previews", engine.ActReadApp, h((*Server).listPreviews), "List an app's previews and their settings"},
	{"PUT", "/apps/:app/previews", engine.ActSettings, h((*Server).enablePreviews), "Enable an app's previews or change their settings"},
	{"DELETE", "/apps/:app/previews", engine.ActSettings, h((*Server).disablePreviews), "Disable an app's previews and destroy them"},
	{"DELETE", "/apps/:app/previews/:branch", engine.ActDeploy, h((*Server).destroyPreview), "Destroy the preview of a branch (percent-encoded)"},
	{"GET", "/insights", engine.ActReadApp, h((*Server).teamInsights), "Delivery figures (DORA) over the apps the caller can see, and per app"},
	{"GET", "/apps/:app/insights", engine.ActReadApp, h((*Server).appInsights), "An app's delivery figures (DORA)"},
	{"GET", "/catalog", engine.ActReadApp, h((*Server).listCatalog), "The service catalog: every app the caller can see with owner, lifecycle, system, links, dependencies, release, health and figures (?format=backstage: Backstage entities in YAML)"},
	{"GET", "/apps/:app/catalog", engine.ActReadApp, h((*Server).getCatalog), "An app's catalog entry: from catalog-info.yaml and set by hand"},
	{"PATCH", "/apps/:app/catalog", engine.ActSettings, h((*Server).setCatalog), "Set an app's catalog fields by hand"},
	{"GET", "/cluster", engine.ActServer, h((*Server).clusterStatus), "The cluster this server manages, if any"},
	{"POST", "/cluster", engine.ActServer, h((*Server).clusterInit), "Make this server a cluster (Swarm) manager; apps move onto services at their next deploy"},
	{"DELETE", "/cluster", engine.ActServer, h((*Server).clusterLeave), "Move every app back onto this server's containers and leave the cluster"},
	{"GET", "/cluster/join-command", engine.ActServer, h((*Server).clusterJoinCommand), "The command that joins a new node as a worker (it holds the join token)"},
	{"POST", "/cluster/join-command/rotate", engine.ActServer, h((*Server).rotateJoinToken), "Replace the worker join token (the old one joins no new node; joined nodes stay) and answer the new join command"},
	{"GET", "/cluster/nodes", engine.ActServer, h((*Server).clusterNodes), "List the cluster's nodes and what runs on each"},
	{"POST", "/cluster/nodes/:node/drain", engine.ActServer, h((*Server).drainNode), "Move every replica off a node with no downtime, then drain it"},
	{"POST", "/cluster/nodes/:node/activate", engine.ActServer, h((*Server).activateNode), "Let a node take replicas again"},
	{"GET", "/apps/:app/placement", engine.ActReadApp, h((*Server).getPlacement), "An app's placement constraints in a cluster"},
	{"PUT", "/apps/:app/placement", engine.ActServer, h((*Server).setPlacement), "Set where an app's replicas may run in a cluster (Swarm constraints)"},
	{"POST", "/gc", engine.ActServer, h((*Server).collectGarbage), "Remove unused images, stopped containers and build caches over budget now; report what was freed"},
}

// h adapts a method expression to a route handler.
func h(f func(*Server, echo.Context) error) func(*Server) echo.HandlerFunc {
	return func(s *Server) echo.HandlerFunc {
		return func(c echo.Context) error { return f(s, c) }
	}
}

// register adds every API route to g, each behind its rule.
func (s *Server) register(g *echo.Group) {
	for _, r := range s.routes {
		g.Add(r.method, r.path, r.handler(s), s.permit(r.rule))
	}
}

// permit checks the rule of a route before its handler runs. The engine
// checks again in every operation; this check makes every route answer
// 401, 403 and 404 the same way, including those that reach no engine
// operation.
func (s *Server) permit(rule engine.Action) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if rule == Public {
				return next(c)
			}
			id, ok := engine.IdentityFrom(c.Request().Context())
			if !ok {
				return auth.Unauthenticated(c)
			}
			if rule == SignedIn || s.cfg.Accounts == nil {
				return next(c)
			}
			if err := s.cfg.Accounts.Authorize(c.Request().Context(), id, rule, c.Param("app")); err != nil {
				s.auditDenial(c, rule, err)
				return err
			}
			return next(c)
		}
	}
}

// RouteRules lists every API route as "METHOD /api/v1/path" with its rule,
// for tests that check each route against each role.
func RouteRules() map[string]engine.Action {
	out := make(map[string]engine.Action, len(apiRoutes))
	for _, r := range apiRoutes {
		out[r.method+" "+APIPrefix+r.path] = r.rule
	}
	return out
}

// APIPrefix is where the API is served.
const APIPrefix = "/api/v1"

// auditDenial records a refusal for lack of a role, as the engine does.
func (s *Server) auditDenial(c echo.Context, rule engine.Action, err error) {
	if engine.ErrorCode(err) != engine.EFORBIDDEN {
		return
	}
	entry := engine.AuditEntry{Action: "denied." + string(rule), App: c.Param("app"), Detail: engine.ErrorMessage(err)}
	if aerr := s.cfg.Accounts.Audit(c.Request().Context(), entry); aerr != nil {
		s.log.Error("write audit entry", "action", entry.Action, "err", aerr)
	}
}
