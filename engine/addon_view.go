package engine

import (
	"context"
	"slices"
)

// AuditAddonReveal records that someone read an add-on's URL.
const AuditAddonReveal = "addon.reveal"

// AddonInfo is an add-on with what its container and volume say now. The
// password is never in it: AddonURL reveals it.
type AddonInfo struct {
	Addon
	// Container is nil when the add-on has no container.
	Container *AddonContainer
	// SizeBytes is the size of its volume on disk.
	SizeBytes int64
}

// Addons lists the add-ons app owns or is attached to (every add-on of the
// apps the caller may see when app is "").
func (e *Engine) Addons(ctx context.Context, app string) ([]*AddonInfo, error) {
	if app != "" {
		if _, err := e.FindApp(ctx, app); err != nil {
			return nil, err
		}
	}
	list, err := e.cfg.Store.ListAddons(ctx, app)
	if err != nil {
		return nil, err
	}
	out := make([]*AddonInfo, 0, len(list))
	for _, a := range list {
		if app == "" && e.authorize(ctx, ActReadApp, a.App) != nil {
			continue
		}
		out = append(out, e.addonInfo(ctx, a))
	}
	return out, nil
}

// AddonInfo returns one add-on of app (owned by it, or by another app as
// "owner/name" when app is attached to it).
func (e *Engine) AddonInfo(ctx context.Context, app, name string) (*AddonInfo, error) {
	a, err := e.findAddon(ctx, ActReadApp, app, name)
	if err != nil {
		return nil, err
	}
	return e.addonInfo(ctx, a), nil
}

// AddonURL returns the URL of an add-on to a caller who may read the
// owner's config values, and audits it.
func (e *Engine) AddonURL(ctx context.Context, app, name string) (url string, err error) {
	a, err := e.findAddon(ctx, ActRevealConfig, app, name)
	if err != nil {
		return "", err
	}
	e.audit(ctx, AuditAddonReveal, a.App, a.Name, "", nil)
	return a.URL(), nil
}

// addonInfo fills in what Docker says of a; errors leave those fields empty.
func (e *Engine) addonInfo(ctx context.Context, a *Addon) *AddonInfo {
	info := &AddonInfo{Addon: *a}
	info.Password = ""
	info.Attachments = slices.Clone(a.Attachments)
	if e.cfg.Addons == nil {
		return info
	}
	if c, err := e.cfg.Addons.InspectAddon(ctx, a.App, a.Name); err == nil {
		info.Container = c
	}
	if n, err := e.cfg.Addons.VolumeSize(ctx, a.Volume); err == nil {
		info.SizeBytes = n
	}
	return info
}

// findAddon returns the add-on name of app after checking act on app and,
// for an add-on another app owns ("owner/name"), that app is attached to
// it and act is allowed on the owner too.
func (e *Engine) findAddon(ctx context.Context, act Action, app, name string) (*Addon, error) {
	if err := e.authorize(ctx, act, app); err != nil {
		return nil, err
	}
	owner, short := splitAddonRef(app, name)
	if err := ValidateAddonName(short); err != nil {
		return nil, err
	}
	if owner != app {
		if err := e.authorize(ctx, act, owner); err != nil {
			return nil, err
		}
	}
	a, err := e.cfg.Store.FindAddon(ctx, owner, short)
	if ErrorCode(err) == ENOTFOUND || (err == nil && owner != app && a.VarOf(app) == "") {
		return nil, Errorf(ENOTFOUND, "app %s has no add-on %s: see `quayside addons list %s`", app, clipText(name, 60), app)
	}
	return a, err
}

// splitAddonRef reads "owner/name" or "name" (owned by app).
func splitAddonRef(app, ref string) (owner, name string) {
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			return ref[:i], ref[i+1:]
		}
	}
	return app, ref
}
