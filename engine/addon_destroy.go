package engine

import (
	"context"
	"io"
	"strings"
)

// DestroyAddon removes an add-on that app owns: the URL from every
// attached app's config (a config release each), then its container and
// volumes. Unless noBackup, a final backup is taken first and kept; when
// it cannot be taken nothing is removed. It needs the app's admin rights.
func (e *Engine) DestroyAddon(ctx context.Context, app, name string, noBackup bool, w io.Writer) (err error) {
	if err := e.authorize(ctx, ActDestroyApp, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonDestroy, app, name, noBackupDetail(noBackup), err) }()
	ctx, a, unlock, err := e.lockOwnedAddon(ctx, app, name)
	if err != nil {
		return err
	}
	defer unlock()
	return e.destroyAddon(ctx, a, noBackup, "", newProgress(w))
}

func noBackupDetail(noBackup bool) string {
	if noBackup {
		return "without a final backup"
	}
	return ""
}

// ownedAddon returns the add-on name that app owns, with a message that
// says how to name it when it is not there.
func (e *Engine) ownedAddon(ctx context.Context, app, name string) (*Addon, error) {
	if strings.Contains(name, "/") {
		return nil, Errorf(EINVALID, "add-on %s belongs to another app: run this on its owner (quayside addons ... %s)", clipText(name, 60), clipText(strings.SplitN(name, "/", 2)[0], 40))
	}
	if err := ValidateAddonName(name); err != nil {
		return nil, err
	}
	a, err := e.cfg.Store.FindAddon(ctx, app, name)
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "app %s has no add-on %s: see `quayside addons list %s`", app, name, app)
	}
	return a, err
}

// destroyAddon does the work of DestroyAddon. skipApp (being destroyed
// itself) gets no config release.
func (e *Engine) destroyAddon(ctx context.Context, a *Addon, noBackup bool, skipApp string, out *progress) error {
	if !noBackup {
		out.Step("Taking a final backup of %s", a.Name)
		b, err := e.backupAddon(ctx, a, "final")
		if err != nil {
			return Wrapf(err, ErrorCode(err), "the final backup of %s failed, so nothing was removed: %s (use --no-backup to destroy it without one)", a.Name, ErrorMessage(err))
		}
		out.Info("Kept %s", b.Name)
	}
	for _, at := range a.Attachments {
		if at.App == skipApp {
			continue
		}
		if err := e.unsetAddonVar(ctx, at.App, at.Var, out); err != nil {
			return err
		}
	}
	out.Step("Removing %s and its data", a.Name)
	vols := append([]string{a.Volume}, a.OldVolumes...)
	if err := e.cfg.Addons.RemoveAddon(ctx, a.App, a.Name, vols...); err != nil {
		return err
	}
	return e.cfg.Store.DeleteAddon(ctx, a.App, a.Name)
}

// unsetAddonVar removes v from app's config with a config release, unless
// someone already removed it.
func (e *Engine) unsetAddonVar(ctx context.Context, app, v string, out *progress) error {
	has, err := e.hasVar(ctx, app, v)
	if err != nil || !has {
		return err
	}
	out.Step("Unsetting %s on %s", v, app)
	_, err = e.SetConfig(ctx, ConfigChange{App: app, Unset: []string{v}, Output: out})
	return err
}

// hasVar reports whether app's current config sets v.
func (e *Engine) hasVar(ctx context.Context, app, v string) (bool, error) {
	cur, err := e.cfg.Store.FindApp(ctx, app)
	if err != nil {
		return false, err
	}
	cv, err := e.cfg.Store.FindConfigVersion(ctx, app, cur.ConfigVersion)
	if err != nil {
		return false, err
	}
	_, ok := cv.Vars[v]
	return ok, nil
}

// checkAddonsBeforeDestroy refuses to destroy an app that owns add-ons.
func (e *Engine) checkAddonsBeforeDestroy(ctx context.Context, app string) error {
	list, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return err
	}
	var owned []string
	for _, a := range list {
		if a.App == app {
			owned = append(owned, a.Name)
		}
	}
	if len(owned) > 0 {
		return Errorf(ECONFLICT, "app %s owns add-ons (%s) whose data would be lost: destroy them first with `quayside addons destroy`, or destroy the app with --with-addons (each keeps a final backup)",
			app, strings.Join(owned, ", "))
	}
	return nil
}

// leaveAddons takes app off the networks of the add-ons of other apps it
// is attached to, as it is destroyed (its attachments go with it).
func (e *Engine) leaveAddons(ctx context.Context, app string) error {
	if e.cfg.Addons == nil {
		return nil
	}
	list, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.App != app {
			if err := e.cfg.Addons.DisconnectAddon(ctx, a.App, a.Name, app); err != nil {
				return err
			}
		}
	}
	return nil
}

// DestroyWithAddons destroys the add-ons app owns (each with a final
// backup unless noBackup) and then the app.
func (e *Engine) DestroyWithAddons(ctx context.Context, app string, noBackup bool, w io.Writer) error {
	if err := e.authorize(ctx, ActDestroyApp, app); err != nil {
		return err
	}
	list, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.App != app {
			continue
		}
		if err := e.addonsAvailable(); err != nil {
			return err
		}
		if err := e.destroyOwned(ctx, a, noBackup, w); err != nil {
			return err
		}
	}
	return e.Destroy(ctx, app)
}

// destroyOwned destroys a as part of destroying its owner.
func (e *Engine) destroyOwned(ctx context.Context, a *Addon, noBackup bool, w io.Writer) (err error) {
	defer func() { e.audit(ctx, AuditAddonDestroy, a.App, a.Name, noBackupDetail(noBackup), err) }()
	lctx, unlock, err := e.lockAddons(ctx, a.App)
	if err != nil {
		return err
	}
	defer unlock()
	return e.destroyAddon(lctx, a, noBackup, a.App, newProgress(w))
}
