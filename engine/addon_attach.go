package engine

import (
	"context"
	"io"
	"slices"
)

// AttachAddon gives app the URL of the add-on ref ("owner/name") owns:
// the add-on joins app's network and app gets a config release with the
// URL, in the kind's primary variable if app has none, else in one named
// after the owner and add-on (SHOP_DB_URL). The caller must be allowed to
// deploy the owner (the data is the owner's) and to change app's config.
func (e *Engine) AttachAddon(ctx context.Context, app, ref string, w io.Writer) (a *Addon, err error) {
	if err := e.authorize(ctx, ActChangeConfig, app); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditAddonAttach, app, ref, "", err) }()
	if err := e.addonsAvailable(); err != nil {
		return nil, err
	}
	owner, name := splitAddonRef(app, ref)
	if err := e.authorize(ctx, ActDeploy, owner); err != nil {
		return nil, err
	}
	ctx, unlock, err := e.lockAddons(ctx, owner)
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, err = e.ownedAddon(ctx, owner, name)
	if err != nil {
		return nil, err
	}
	if v := a.VarOf(app); v != "" {
		// Attached already: set the variable again (it may have been unset).
		return a, e.setAddonVars(ctx, app, map[string]string{v: a.URL()}, w)
	}
	target, err := e.cfg.Store.FindApp(ctx, app)
	if err != nil {
		return nil, err
	}
	others, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return nil, err
	}
	v, err := e.freeVar(ctx, target, AddonKinds[a.Kind].PrimaryVar, owner+"-"+a.Name, others)
	if err != nil {
		return nil, err
	}
	if err := e.cfg.Addons.ConnectAddon(ctx, a.App, a.Name, app); err != nil {
		return nil, err
	}
	a.Attachments = append(a.Attachments, AddonAttachment{App: app, Var: v})
	if err := e.cfg.Store.UpdateAddon(ctx, a); err != nil {
		return nil, err
	}
	return a, e.setAddonVars(ctx, app, map[string]string{v: a.URL()}, w)
}

// DetachAddon takes the URL of add-on ref away from app (a config release)
// and the add-on off app's network. The owner cannot be detached: destroy
// the add-on instead.
func (e *Engine) DetachAddon(ctx context.Context, app, ref string, w io.Writer) (err error) {
	if err := e.authorize(ctx, ActChangeConfig, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonDetach, app, ref, "", err) }()
	if err := e.addonsAvailable(); err != nil {
		return err
	}
	owner, name := splitAddonRef(app, ref)
	if owner == app {
		return Errorf(EINVALID, "app %s owns add-on %s, so it cannot be detached from it: destroy the add-on with `quayside addons destroy %s %s --confirm %s`", app, clipText(name, 40), app, clipText(name, 40), clipText(name, 40))
	}
	ctx, unlock, err := e.lockAddons(ctx, owner)
	if err != nil {
		return err
	}
	defer unlock()
	a, err := e.findAddon(ctx, ActChangeConfig, app, ref)
	if err != nil {
		return err
	}
	v := a.VarOf(app)
	if err := e.unsetAddonVar(ctx, app, v, newProgress(w)); err != nil {
		return err
	}
	if err := e.cfg.Addons.DisconnectAddon(ctx, a.App, a.Name, app); err != nil {
		return err
	}
	a.Attachments = slices.DeleteFunc(a.Attachments, func(at AddonAttachment) bool { return at.App == app })
	return e.cfg.Store.UpdateAddon(ctx, a)
}

// setAddonVars sets vars on app with a config release.
func (e *Engine) setAddonVars(ctx context.Context, app string, vars map[string]string, w io.Writer) error {
	_, err := e.SetConfig(ctx, ConfigChange{App: app, Set: vars, Output: w})
	return err
}

// PromoteAddon makes add-on ref the primary one of its kind for app: it
// gets the kind's primary variable (DATABASE_URL) and the add-on that had
// it gets its name-derived one, in one config release.
func (e *Engine) PromoteAddon(ctx context.Context, app, ref string, w io.Writer) (err error) {
	if err := e.authorize(ctx, ActChangeConfig, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonPromote, app, ref, "", err) }()
	ctx, unlock, err := e.lockAddons(ctx, app)
	if err != nil {
		return err
	}
	defer unlock()
	a, err := e.findAddon(ctx, ActChangeConfig, app, ref)
	if err != nil {
		return err
	}
	primary := AddonKinds[a.Kind].PrimaryVar
	if a.VarOf(app) == primary {
		return Errorf(ECONFLICT, "add-on %s is already the primary %s of %s (%s)", a.Name, a.Kind, app, primary)
	}
	return e.swapPrimary(ctx, app, a, primary, w)
}

// swapPrimary gives a the primary variable on app and the former holder,
// if any, a's old variable.
func (e *Engine) swapPrimary(ctx context.Context, app string, a *Addon, primary string, w io.Writer) error {
	list, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return err
	}
	old := a.VarOf(app)
	set := map[string]string{primary: a.URL()}
	var former *Addon
	for _, b := range list {
		if b.VarOf(app) == primary {
			former = b
			set[old] = b.URL()
		}
	}
	ch := ConfigChange{App: app, Set: set, Output: w}
	if former == nil {
		has, err := e.hasVar(ctx, app, old)
		if err != nil {
			return err
		}
		if has {
			ch.Unset = []string{old}
		}
	}
	if _, err := e.SetConfig(ctx, ch); err != nil {
		return err
	}
	renameVar(a, app, primary)
	if former == nil {
		return e.cfg.Store.UpdateAddon(ctx, a)
	}
	renameVar(former, app, old)
	return e.cfg.Store.UpdateAddon(ctx, a, former)
}

// renameVar sets the variable app gets a's URL in.
func renameVar(a *Addon, app, v string) {
	for i := range a.Attachments {
		if a.Attachments[i].App == app {
			a.Attachments[i].Var = v
		}
	}
}

// AddonLogs returns up to the last n lines an add-on printed.
func (e *Engine) AddonLogs(ctx context.Context, app, ref string, n int) (string, error) {
	if err := e.addonsAvailable(); err != nil {
		return "", err
	}
	a, err := e.findAddon(ctx, ActReadLogs, app, ref)
	if err != nil {
		return "", err
	}
	return e.cfg.Addons.AddonLogs(ctx, a.App, a.Name, n)
}
