package dashboard

import "net/http"

// actionRoutes are the dashboard's actions beyond its first pages: app
// creation and destruction, redeploys, restarts, maintenance, SSH keys,
// pasted .env blocks, alerts and search. Each checks the role the API's
// route for the same change checks, before it asks anything of the
// engine, which checks again and audits.
var actionRoutes = []route{
	{http.MethodGet, "/new-app", signedIn((*Dashboard).newAppPage)},
	{http.MethodPost, "/new-app", signedIn((*Dashboard).createApp)},
	{http.MethodPost, "/apps/:app/destroy", signedIn((*Dashboard).destroyApp)},
	{http.MethodPost, "/apps/:app/redeploy", signedIn((*Dashboard).redeploy)},
	{http.MethodPost, "/apps/:app/restart", signedIn((*Dashboard).restart)},
	{http.MethodPost, "/apps/:app/maintenance", signedIn((*Dashboard).maintenance)},
	{http.MethodPost, "/apps/:app/config/env", signedIn((*Dashboard).pasteEnv)},
	{http.MethodGet, "/apps/:app/alerts", signedIn((*Dashboard).appAlertsPage)},
	{http.MethodPost, "/apps/:app/alerts/:action", signedIn((*Dashboard).changeAppAlerts)},
	{http.MethodGet, "/alerts", signedIn((*Dashboard).serverAlertsPage)},
	{http.MethodPost, "/alerts/:action", signedIn((*Dashboard).changeServerAlerts)},
	{http.MethodGet, "/keys", signedIn((*Dashboard).keysPage)},
	{http.MethodPost, "/keys", signedIn((*Dashboard).addKey)},
	{http.MethodPost, "/keys/remove", signedIn((*Dashboard).removeKey)},
	{http.MethodGet, "/search", signedIn((*Dashboard).search)},
}

// actionFlashes are the ?done= messages of the actions (see flashes).
var actionFlashes = map[string]string{
	"app-created":     "App created: push to it to deploy its first release.",
	"app-destroyed":   "App destroyed.",
	"redeployed":      "Redeployed: the release below marked current is live.",
	"restarted":       "Restarted: fresh containers run.",
	"maintenance-on":  "Maintenance is on: every request gets the maintenance page.",
	"maintenance-off": "Maintenance is off: the app serves again.",
	"env-saved":       "Config saved from the pasted block, in one release.",
	"key-added":       "SSH key added: you can push with it now.",
	"key-removed":     "SSH key removed.",
	"alert-added":     "Webhook added.",
	"alert-removed":   "Webhook removed.",
}
