package dashboard

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// maxDiffNames is how many names a config summary lists of each kind
// before it counts the rest.
const maxDiffNames = 8

// rollbackNote says what a rollback does to the config, as a sentence;
// Changes is false when it leaves the config as it is.
type rollbackNote struct {
	Text    string
	Changes bool
}

// rollbackConfig says, for each release of rels one may roll back to,
// what a rollback to it does to app's config: which variables it brings
// back, drops or changes. Names only; values never leave the engine.
func (d *Dashboard) rollbackConfig(ctx context.Context, app *engine.App, rels []*engine.Release) (map[int]rollbackNote, error) {
	out := map[int]rollbackNote{}
	byVersion := map[int]rollbackNote{}
	for _, r := range rels {
		if !r.Succeeded() || r.Number == app.CurrentRelease {
			continue
		}
		s, ok := byVersion[r.ConfigVersion]
		if !ok {
			diff, err := d.cfg.Engine.ConfigVersionDiff(ctx, app.Name, app.ConfigVersion, r.ConfigVersion)
			if err != nil {
				return nil, err
			}
			s = rollbackNote{Text: describeRollbackConfig(diff), Changes: !diff.Empty()}
			byVersion[r.ConfigVersion] = s
		}
		out[r.Number] = s
	}
	return out, nil
}

// describeRollbackConfig says what going to another config version does,
// as a sentence: what the target has that the current config lacks comes
// back, what only the current config has is dropped.
func describeRollbackConfig(d engine.ConfigDiff) string {
	if d.Empty() {
		return "The config stays as it is."
	}
	var parts []string
	if len(d.Added) > 0 {
		parts = append(parts, "brings back "+nameList(d.Added))
	}
	if len(d.Removed) > 0 {
		parts = append(parts, "drops "+nameList(d.Removed))
	}
	if len(d.Changed) > 0 {
		parts = append(parts, "restores the earlier value of "+nameList(d.Changed))
	}
	return "Config: " + strings.Join(parts, "; ") + "."
}

// nameList lists names, the first maxDiffNames of them, then a count.
func nameList(names []string) string {
	if len(names) <= maxDiffNames {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxDiffNames], ", ") + " and " + strconv.Itoa(len(names)-maxDiffNames) + " more"
}

// rollbackDetail says what a rollback of app to release to does to its
// config; "" when there is no such release (the rollback says why).
func (d *Dashboard) rollbackDetail(c echo.Context, app *engine.App, to int) (string, error) {
	ctx := c.Request().Context()
	rel, err := d.release(ctx, app.Name, to)
	if err != nil || rel == nil {
		return "", err
	}
	m, err := d.rollbackConfig(ctx, app, []*engine.Release{rel})
	return m[to].Text, err
}
