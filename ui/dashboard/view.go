package dashboard

import (
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/auth"
)

// view is what every page template gets: who is signed in, the CSRF token
// for forms, messages, and the page's own Data.
type view struct {
	Title string
	// Section is the main navigation entry to mark current: "apps",
	// "users", "tokens" or "audit".
	Section string
	// Tab is the app navigation entry to mark current, on app pages.
	Tab string

	SignedIn bool
	ID       engine.Identity
	CSRF     string

	// App is the app an app page is about; nil elsewhere.
	App    *engine.App
	AppURL string
	// AppState is the app's state as people should read it (shownState).
	AppState string

	// Flash tells what the last action did.
	Flash string
	// Error is a form-level error; Fields are errors next to fields.
	Error  string
	Fields map[string]string
	// Form holds the values submitted, to fill a form again.
	Form url.Values

	Version string
	CSS, JS string
	// ActionsJS is the script of the action controls (actions.js).
	ActionsJS string
	Data      any
}

// newView starts the view of a request made by id (signed in when ok).
func (d *Dashboard) newView(c echo.Context, id engine.Identity, ok bool) *view {
	v := &view{SignedIn: ok, ID: id, Version: d.cfg.Version, CSS: d.assets.url("dashboard.css"),
		JS: d.assets.url("dashboard.js"), ActionsJS: d.assets.url("actions.js"), Fields: map[string]string{}, Form: url.Values{}}
	if s := auth.Session(c); s != nil {
		v.CSRF = s.CSRFToken
	}
	v.Flash = flashes[c.QueryParam("done")]
	if v.Flash == "" {
		v.Flash = actionFlashes[c.QueryParam("done")]
	}
	return v
}

// Can reports whether the signed-in role allows act. The engine decides
// for real; this only hides controls that would be refused.
func (v *view) Can(act engine.Action) bool {
	return v.SignedIn && engine.RoleAllows(v.ID.Role, act)
}

// showError puts err's field errors next to the fields named in known,
// and its message at the top of the form when none of them is concerned.
func (v *view) showError(err error, known ...string) {
	for f, msg := range engine.ErrorFields(err) {
		if slices.Contains(known, f) {
			v.Fields[f] = sentence(msg)
		}
	}
	if len(v.Fields) == 0 {
		v.Error = sentence(engine.ErrorMessage(err))
	}
}

// sentence makes an engine message, which starts in lower case to read
// well after a colon, a sentence of its own.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	if msg[0] >= 'a' && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// flashes are the messages a redirect after a change may ask for with
// ?done=; anything else shows nothing, so the query cannot inject text.
var flashes = map[string]string{
	"signed-out":     "You have signed out.",
	"password-set":   "Your password is set: sign in with it.",
	"rolled-back":    "Rolled back: the release below marked current is live.",
	"preview-gone":   "Preview destroyed.",
	"cron-started":   "Job started: its output is in the logs under cron.JOB.",
	"addon-restored": "Add-on restored from the backup; the data it replaced was backed up first.",
	"config-saved":   "Config saved.",
	"config-unset":   "Config variable removed.",
	"scaled":         "Scale changed.",
	"domain-added":   "Domain added: its certificate is being obtained.",
	"domain-removed": "Domain removed.",
	"user-changed":   "User changed.",
	"user-removed":   "User removed.",
	"token-revoked":  "Token revoked.",
}
