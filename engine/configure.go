package engine

import (
	"context"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
)

// ConfigChange sets and unsets config variables of one app.
type ConfigChange struct {
	App    string
	Set    map[string]string
	Unset  []string
	Author string
	Output io.Writer
	// ProductionOnly marks the keys Set sets as production-only: previews
	// never receive them.
	ProductionOnly bool
	// Previews changes the config new previews start with instead of the
	// app's own; it makes no release.
	Previews bool
	// RuntimeOnly, when not nil, marks the keys of Set runtime-only (true:
	// builds never see them) or visible to builds (false). Nil keeps the
	// marks of keys already set; new keys are visible to builds.
	RuntimeOnly *bool
}

// Config returns the config version in effect for app. Callers who may
// not reveal config values (viewers) get the names with empty values.
func (e *Engine) Config(ctx context.Context, name string) (*ConfigVersion, error) {
	app, err := e.FindApp(ctx, name)
	if err != nil {
		return nil, err
	}
	cv, err := e.cfg.Store.FindConfigVersion(ctx, name, app.ConfigVersion)
	if err != nil || e.mayReveal(ctx, name) {
		return cv, err
	}
	masked := *cv
	masked.Vars = make(map[string]string, len(cv.Vars))
	for k := range cv.Vars {
		masked.Vars[k] = ""
	}
	return &masked, nil
}

// mayReveal reports whether the caller may read config values (not only
// their names). A refusal here is not audited: it only hides values.
func (e *Engine) mayReveal(ctx context.Context, app string) bool {
	id, ok := IdentityFrom(ctx)
	if e.cfg.Access == nil || !ok {
		return true
	}
	return e.cfg.Access.Authorize(ctx, id, ActRevealConfig, app) == nil
}

// SetConfig applies a change as a new config version. If the app has a
// current release, the change is deployed as a new release of its image and
// takes effect only if that release becomes healthy; the release is
// returned. Without a release the version simply becomes current and the
// returned release is nil.
func (e *Engine) SetConfig(ctx context.Context, ch ConfigChange) (rel *Release, err error) {
	if err := e.authorize(ctx, ActChangeConfig, ch.App); err != nil {
		return nil, err
	}
	ch.Author = actor(ctx, ch.Author)
	defer func() { e.audit(ctx, AuditConfigChange, ch.App, "", describeChange(ch), err) }()
	if err := validateChange(ch); err != nil {
		return nil, err
	}
	if err := e.checkConfigFlags(ctx, ch); err != nil {
		return nil, err
	}
	if ch.Previews {
		return nil, e.setPreviewConfig(ctx, ch)
	}
	defer func() { e.forgetProductionOnly(ctx, ch, err) }()
	if ch.ProductionOnly {
		if err := e.cfg.Store.MarkProductionOnly(ctx, ch.App, sortedKeys(ch.Set), true); err != nil {
			return nil, err
		}
	}
	out, capt := e.recordingOutput(ch.App, ch.Output)
	ctx, unlock, err := e.lockApp(ctx, ch.App, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err := e.appForChange(ctx, ch.App)
	if err != nil {
		return nil, err
	}
	cur, err := e.cfg.Store.FindConfigVersion(ctx, app.Name, app.ConfigVersion)
	if err != nil {
		return nil, err
	}
	vars, err := applyChange(cur.Vars, ch)
	if err != nil {
		return nil, err
	}
	cv := &ConfigVersion{App: app.Name, Vars: vars, RuntimeOnly: applyMarks(cur.RuntimeOnly, vars, ch), Author: ch.Author}
	if err := e.cfg.Store.CreateConfigVersion(ctx, cv); err != nil {
		return nil, err
	}
	if app.CurrentRelease == 0 {
		out.Step("Config saved; it applies from the first deploy")
		return nil, e.cfg.Store.SetAppConfigVersion(ctx, app.Name, cv.Version)
	}
	rel, err = e.redeploy(ctx, app, &Release{
		Kind: KindConfig, ConfigVersion: cv.Version, Author: ch.Author,
		Description: describeChange(ch),
	}, out)
	e.finishRelease(ctx, rel, capt, err)
	return rel, err
}

// redeploy deploys the current release's image as a new release described
// by tmpl (kind, config version, author, description).
func (e *Engine) redeploy(ctx context.Context, app *App, tmpl *Release, out *progress) (*Release, error) {
	cur, err := e.cfg.Store.FindRelease(ctx, app.Name, app.CurrentRelease)
	if err != nil {
		return nil, err
	}
	rel := *tmpl
	rel.App, rel.Status = app.Name, ReleaseDeploying
	rel.Image, rel.Port, rel.BuildMethod, rel.Commit = cur.Image, cur.Port, cur.BuildMethod, cur.Commit
	rel.Processes = cur.Processes
	if err := e.cfg.Store.CreateRelease(ctx, &rel); err != nil {
		return nil, err
	}
	e.deployStarted(ctx, &rel, rel.Description+" as v"+itoa(rel.Number))
	out.Step("Deploying v%d: %s", rel.Number, rel.Description)
	return &rel, e.deployRelease(ctx, app, &rel, out)
}

func validateChange(ch ConfigChange) error {
	if len(ch.Set) == 0 && len(ch.Unset) == 0 {
		return FieldError("config", "nothing to change: give KEY=value pairs to set or keys to unset")
	}
	for k, v := range ch.Set {
		if err := ValidateConfigKey(k); err != nil {
			return err
		}
		if err := ValidateConfigValue(k, v); err != nil {
			return err
		}
	}
	for _, k := range ch.Unset {
		if _, both := ch.Set[k]; both {
			return FieldError(k, "%s is both set and unset in one change", k)
		}
	}
	return nil
}

// applyChange returns a copy of vars with ch applied.
func applyChange(vars map[string]string, ch ConfigChange) (map[string]string, error) {
	next := maps.Clone(vars)
	if next == nil {
		next = map[string]string{}
	}
	for _, k := range ch.Unset {
		if _, ok := next[k]; !ok {
			return nil, FieldError(k, "config key %s is not set, so it cannot be unset", k)
		}
		delete(next, k)
	}
	maps.Copy(next, ch.Set)
	if err := ValidateConfig(next); err != nil {
		return nil, err
	}
	return next, nil
}

// applyMarks returns the runtime-only keys after ch: the earlier ones that
// are still set, with the keys of ch.Set added or removed as ch.RuntimeOnly
// says. The result is sorted.
func applyMarks(marks []string, vars map[string]string, ch ConfigChange) []string {
	set := map[string]bool{}
	for _, k := range marks {
		if _, ok := vars[k]; ok {
			set[k] = true
		}
	}
	if ch.RuntimeOnly != nil {
		for k := range ch.Set {
			set[k] = *ch.RuntimeOnly
		}
	}
	var out []string
	for k, on := range set {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// describeChange names the keys a change touches, never their values.
func describeChange(ch ConfigChange) string {
	var parts []string
	switch {
	case ch.Previews:
		parts = append(parts, "Preview config:")
	case ch.ProductionOnly:
		parts = append(parts, "Production-only:")
	}
	if len(ch.Set) > 0 {
		keys := make([]string, 0, len(ch.Set))
		for k := range ch.Set {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		set := "Set " + strings.Join(keys, ", ")
		if ch.RuntimeOnly != nil && *ch.RuntimeOnly {
			set += " (runtime-only)"
		} else if ch.RuntimeOnly != nil {
			set += " (visible to builds)"
		}
		parts = append(parts, set)
	}
	if len(ch.Unset) > 0 {
		parts = append(parts, "Unset "+strings.Join(ch.Unset, ", "))
	}
	return truncate(strings.Join(parts, "; "), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...", s[:n])
}
