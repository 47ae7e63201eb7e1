package dashboard

import (
	"strings"

	"github.com/quayside/quayside/engine"
)

// Display states of an app that has never been live; engine states
// ("active", "maintenance", ...) are shown as they are.
const (
	stateNotDeployed = "not deployed"
)

// shownState is the state people should read for app, whose newest
// release is last (nil when it has none): an app that has never been live
// is "not deployed", or its first release's status while that is built,
// deployed or after it failed; it is never "active" before anything runs.
func shownState(app *engine.App, last *engine.Release) string {
	if app.CurrentRelease != 0 {
		return app.State
	}
	if last == nil {
		return stateNotDeployed
	}
	switch last.Status {
	case engine.ReleaseBuilding, engine.ReleaseDeploying, engine.ReleaseFailed:
		return last.Status
	}
	return stateNotDeployed
}

// stateClass is the CSS class suffix of a state or status: its words
// joined by hyphens ("not deployed" is s-not-deployed).
func stateClass(s string) string {
	return strings.Join(strings.Fields(s), "-")
}
