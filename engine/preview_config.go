package engine

import (
	"context"
	"maps"
	"slices"
)

// previewStartConfig is the config a new preview of parent starts with:
// parent's current config without its production-only keys, with the
// app's preview config on top, and the keys parent marks runtime-only
// marked so in the preview too (a branch's build never sees them).
func (e *Engine) previewStartConfig(ctx context.Context, parent *App) (*ConfigVersion, error) {
	cv, err := e.cfg.Store.FindConfigVersion(ctx, parent.Name, parent.ConfigVersion)
	if err != nil {
		return nil, err
	}
	vars := maps.Clone(cv.Vars)
	if vars == nil {
		vars = map[string]string{}
	}
	prodOnly, err := e.cfg.Store.ProductionOnlyKeys(ctx, parent.Name)
	if err != nil {
		return nil, err
	}
	for _, k := range prodOnly {
		delete(vars, k)
	}
	extra, err := e.cfg.Store.PreviewVars(ctx, parent.Name)
	if err != nil {
		return nil, err
	}
	maps.Copy(vars, extra)
	if err := ValidateConfig(vars); err != nil {
		return nil, err
	}
	return &ConfigVersion{Vars: vars, RuntimeOnly: keptKeys(cv.RuntimeOnly, vars)}, nil
}

// keptKeys returns the keys of marks that vars still holds, in order.
func keptKeys(marks []string, vars map[string]string) []string {
	var kept []string
	for _, k := range marks {
		if _, ok := vars[k]; ok {
			kept = append(kept, k)
		}
	}
	return kept
}

// scrubPreviewConfig keeps production secrets out of an existing preview:
// a key marked production-only after the preview was made, whose value in
// the preview is still the production value, is removed; and a key the
// parent marks runtime-only after the preview was made is marked so in the
// preview too, so that the branch's next build does not see it. It
// returns the new config version when it made one, else 0.
func (e *Engine) scrubPreviewConfig(ctx context.Context, parent, preview string) (int, error) {
	prodOnly, err := e.cfg.Store.ProductionOnlyKeys(ctx, parent)
	if err != nil {
		return 0, err
	}
	papp, err := e.cfg.Store.FindApp(ctx, parent)
	if err != nil {
		return 0, err
	}
	prod, err := e.cfg.Store.FindConfigVersion(ctx, parent, papp.ConfigVersion)
	if err != nil {
		return 0, err
	}
	app, err := e.cfg.Store.FindApp(ctx, preview)
	if err != nil {
		return 0, err
	}
	cur, err := e.cfg.Store.FindConfigVersion(ctx, preview, app.ConfigVersion)
	if err != nil {
		return 0, err
	}
	vars := maps.Clone(cur.Vars)
	for _, k := range prodOnly {
		if v, ok := vars[k]; ok && v == prod.Vars[k] {
			delete(vars, k)
		}
	}
	marks := previewMarks(cur.RuntimeOnly, prod.RuntimeOnly, vars)
	if len(vars) == len(cur.Vars) && slices.Equal(marks, cur.RuntimeOnly) {
		return 0, nil
	}
	author := "quayside (production-only keys removed)"
	if len(vars) == len(cur.Vars) {
		author = "quayside (runtime-only marks of " + parent + " applied)"
	}
	cv := &ConfigVersion{App: preview, Vars: vars, RuntimeOnly: marks, Author: author}
	if err := e.cfg.Store.CreateConfigVersion(ctx, cv); err != nil {
		return 0, err
	}
	if app.CurrentRelease == 0 {
		return cv.Version, e.cfg.Store.SetAppConfigVersion(ctx, preview, cv.Version)
	}
	return cv.Version, nil
}

// previewMarks are the runtime-only marks of a preview whose variables are
// vars: its own marks and its parent's, of the keys vars holds, sorted.
func previewMarks(own, parent []string, vars map[string]string) []string {
	marks := keptKeys(slices.Concat(own, parent), vars)
	slices.Sort(marks)
	return slices.Compact(marks)
}

// setPreviewConfig applies ch to the config new previews of ch.App start with.
func (e *Engine) setPreviewConfig(ctx context.Context, ch ConfigChange) error {
	cur, err := e.cfg.Store.PreviewVars(ctx, ch.App)
	if err != nil {
		return err
	}
	next, err := applyChange(cur, ch)
	if err != nil {
		return err
	}
	if err := e.cfg.Store.SetPreviewVars(ctx, ch.App, next); err != nil {
		return err
	}
	newProgress(ch.Output).Step("Preview config of %s saved: new previews start with it", ch.App)
	return nil
}

// PreviewConfig returns the config new previews of app start with on top
// of the app's, and the app's production-only keys. Callers who may not
// reveal config values get the names with empty values.
func (e *Engine) PreviewConfig(ctx context.Context, app string) (map[string]string, []string, error) {
	if err := e.authorize(ctx, ActReadApp, app); err != nil {
		return nil, nil, err
	}
	vars, err := e.cfg.Store.PreviewVars(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	keys, err := e.cfg.Store.ProductionOnlyKeys(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	if !e.mayReveal(ctx, app) {
		for k := range vars {
			vars[k] = ""
		}
	}
	return vars, keys, nil
}

// checkConfigFlags refuses preview flags on a config change of a preview
// and mixed flags.
func (e *Engine) checkConfigFlags(ctx context.Context, ch ConfigChange) error {
	if !ch.ProductionOnly && !ch.Previews {
		return nil
	}
	if ch.ProductionOnly && ch.Previews {
		return FieldError("config", "a key is either production-only or preview config, not both: use one flag")
	}
	if p, err := e.cfg.Store.FindPreview(ctx, ch.App); err == nil {
		return Errorf(EINVALID, "%s is a preview: set production-only and preview config on %s", ch.App, p.App)
	}
	if ch.ProductionOnly && len(ch.Set) == 0 {
		return FieldError("config", "--production-only marks the keys it sets: give KEY=value pairs")
	}
	return nil
}

// forgetProductionOnly drops the production-only mark of the keys a
// successful change unset: a key set again later is an ordinary one
// unless marked again.
func (e *Engine) forgetProductionOnly(ctx context.Context, ch ConfigChange, err error) {
	if err != nil || len(ch.Unset) == 0 {
		return
	}
	if merr := e.cfg.Store.MarkProductionOnly(context.WithoutCancel(ctx), ch.App, ch.Unset, false); merr != nil {
		e.log.Error("forget production-only keys", "app", ch.App, "err", merr)
	}
}

// checkPreviewScale refuses to run more than one container of a process
// type in a preview: previews run on the server's preview limits.
func (e *Engine) checkPreviewScale(ctx context.Context, app string, ch Scale) error {
	p, err := e.cfg.Store.FindPreview(ctx, app)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	for typ, n := range ch {
		if n > 1 {
			return FieldError(typ, "%s is a preview of %s: previews run at most one container per process type (%s=1)", app, p.App, typ)
		}
	}
	return nil
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// refreshPreviewConfig recomputes the config of app, when it is a preview,
// from its parent's as a push would (see scrubPreviewConfig), so that a
// redeploy or restart never runs a preview with a key its parent has
// marked production-only since. It returns the new config version when
// it made one (the caller deploys it), else 0; 0 for an ordinary app.
func (e *Engine) refreshPreviewConfig(ctx context.Context, app string, out *progress) (int, error) {
	p, err := e.cfg.Store.FindPreview(ctx, app)
	if ErrorCode(err) == ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := e.scrubPreviewConfig(ctx, p.App, app)
	if v != 0 {
		out.Step("Config of preview %s recomputed from %s's: production-only keys removed, runtime-only marks applied", app, p.App)
	}
	return v, err
}
