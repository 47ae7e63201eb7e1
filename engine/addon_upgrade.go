package engine

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
)

// UpgradeAddon moves an add-on to another major version: a backup of its
// data (labelled pre-upgrade), a new container of the new version on a new
// volume, and a restore of that backup into it. The URL does not change,
// so the apps get no release; they lose the database for the time of the
// restore. The old volume is kept (OldVolumes) until RemoveOldVolumes. On
// a failure the old version runs again on its untouched volume. It needs
// the app's admin rights.
func (e *Engine) UpgradeAddon(ctx context.Context, app, name, version string, w io.Writer) (err error) {
	if err := e.authorize(ctx, ActDestroyApp, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonUpgrade, app, name, "to "+clipText(version, 20), err) }()
	ctx, a, unlock, err := e.lockOwnedAddon(ctx, app, name)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkUpgrade(a, version); err != nil {
		return err
	}
	image, err := e.addonImage(ctx, a.Kind, version, w)
	if err != nil {
		return err
	}
	out := newProgress(w)
	out.Step("Backing up %s %s before the upgrade", a.Name, a.Version)
	b, err := e.backupAddon(ctx, a, BackupPreUpgrade)
	if err != nil {
		return Wrapf(err, ErrorCode(err), "the backup before the upgrade failed, so nothing changed: %s", ErrorMessage(err))
	}
	next := *a
	next.Version, next.Image, next.Volume = version, image, addonVolume(a.App, a.Name, version)
	next.OldVolumes = append(append([]string{}, a.OldVolumes...), a.Volume)
	out.Step("Starting %s %s on a new volume and restoring %s", a.Kind, version, b.Name)
	if err := e.switchVersion(ctx, &next, filepath.Join(e.backupDir(a), b.Name), out); err != nil {
		e.rollBackUpgrade(ctx, a, &next)
		return Wrapf(err, ErrorCode(err), "the upgrade of %s to %s %s failed, so %s %s runs again with its data: %s", a.Name, a.Kind, version, a.Kind, a.Version, ErrorMessage(err))
	}
	out.Info("The old volume is kept: remove it with `quayside addons upgrade %s %s --remove-old` once all is well", a.App, a.Name)
	return e.cfg.Store.UpdateAddon(ctx, &next)
}

// checkUpgrade refuses anything but a newer offered major version.
func checkUpgrade(a *Addon, version string) error {
	if _, _, err := addonKind(a.Kind, version); err != nil {
		return err
	}
	cur, _ := strconv.Atoi(a.Version)
	v, _ := strconv.Atoi(version)
	if v <= cur {
		return Errorf(EINVALID, "%s runs %s %s: an upgrade goes to a newer major version (a downgrade is a restore of a backup into a new add-on)", a.Name, a.Kind, a.Version)
	}
	return nil
}

// switchVersion replaces a's container with next's and restores the
// backup at path into it.
func (e *Engine) switchVersion(ctx context.Context, next *Addon, path string, out *progress) error {
	if err := e.cfg.Addons.RemoveAddon(ctx, next.App, next.Name); err != nil {
		return err
	}
	if err := e.startAddon(ctx, next, out); err != nil {
		return err
	}
	return e.restoreFile(ctx, next, path)
}

// rollBackUpgrade removes next's container and volume and starts old again.
func (e *Engine) rollBackUpgrade(ctx context.Context, old, next *Addon) {
	ctx = context.WithoutCancel(ctx)
	if err := e.cfg.Addons.RemoveAddon(ctx, next.App, next.Name, next.Volume); err != nil {
		e.log.Error("remove failed upgrade", "app", old.App, "addon", old.Name, "err", err)
	}
	if _, err := e.cfg.Addons.StartAddon(ctx, e.addonSpec(old)); err != nil {
		e.log.Error("start add-on again after a failed upgrade", "app", old.App, "addon", old.Name, "err", err)
	}
}

// RemoveOldVolumes removes the volumes an add-on kept from before its
// major upgrades. It needs the app's admin rights.
func (e *Engine) RemoveOldVolumes(ctx context.Context, app, name string) (removed []string, err error) {
	if err := e.authorize(ctx, ActDestroyApp, app); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditAddonUpgrade, app, name, "old volumes removed", err) }()
	ctx, a, unlock, err := e.lockOwnedAddon(ctx, app, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for len(a.OldVolumes) > 0 {
		v := a.OldVolumes[0]
		if err := e.cfg.Addons.RemoveAddonVolume(ctx, a.App, a.Name, v); err != nil {
			return removed, err
		}
		removed, a.OldVolumes = append(removed, v), a.OldVolumes[1:]
		if err := e.cfg.Store.UpdateAddon(ctx, a); err != nil {
			return removed, err
		}
	}
	return removed, nil
}
