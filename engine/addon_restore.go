package engine

import (
	"context"
	"fmt"
	"io"
	"os"
)

// RestoreAddon replaces the live data of an add-on with one of its
// backups. A backup of the data it replaces is taken first (labelled
// pre-restore), so a restore can itself be undone. It needs the app's
// admin rights: it overwrites live data.
func (e *Engine) RestoreAddon(ctx context.Context, app, name, backup string, w io.Writer) (err error) {
	if err := e.authorize(ctx, ActDestroyApp, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonRestore, app, name, clipText(backup, 80), err) }()
	if err := e.addonsAvailable(); err != nil {
		return err
	}
	if err := e.backupsAvailable(); err != nil {
		return err
	}
	ctx, a, unlock, err := e.lockOwnedAddon(ctx, app, name)
	if err != nil {
		return err
	}
	defer unlock()
	path, err := e.backupPath(a, backup)
	if err != nil {
		return err
	}
	out := newProgress(w)
	out.Step("Backing up the data of %s before the restore", a.Name)
	pre, err := e.backupAddon(ctx, a, BackupPreRestore)
	if err != nil {
		return Wrapf(err, ErrorCode(err), "the backup before the restore failed, so nothing was restored: %s", ErrorMessage(err))
	}
	out.Info("Kept %s", pre.Name)
	out.Step("Restoring %s from %s", a.Name, backup)
	return e.restoreFile(ctx, a, path)
}

// restoreFile restores a from the backup file at path.
func (e *Engine) restoreFile(ctx context.Context, a *Addon, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	c, err := e.cfg.Addons.InspectAddon(ctx, a.App, a.Name)
	if err != nil {
		return err
	}
	if err := e.cfg.AddonDumper.RestoreAddon(ctx, a.DumpSpec(c.ID), f); err != nil {
		return fmt.Errorf("restore add-on %s: %w", a.Name, err)
	}
	return e.waitAddonReady(ctx, a)
}

// SetAddonKeep sets how many daily backups an add-on keeps; 0 stops the
// daily backups (those taken stay).
func (e *Engine) SetAddonKeep(ctx context.Context, app, name string, keep int) (err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonChange, app, name, fmt.Sprintf("keep=%d", keep), err) }()
	if keep < 0 || keep > MaxAddonKeep {
		return FieldError("keep", "--keep must be from 0 (no daily backups) to %d", MaxAddonKeep)
	}
	ctx, unlock, err := e.lockAddons(ctx, app)
	if err != nil {
		return err
	}
	defer unlock()
	a, err := e.ownedAddon(ctx, app, name)
	if err != nil {
		return err
	}
	a.Keep = keep
	return e.cfg.Store.UpdateAddon(ctx, a)
}

// RestoreAddonInto creates a new add-on of app called into, of the same
// kind and version as add-on name, and restores name's backup into it:
// the live data stays as it is, and the app gets the new one's URL in its
// own variable (INTO_URL) to compare or to promote.
func (e *Engine) RestoreAddonInto(ctx context.Context, app, name, backup, into string, w io.Writer) (a *Addon, err error) {
	if err := e.authorize(ctx, ActDeploy, app); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditAddonRestore, app, into, "from "+name+" "+clipText(backup, 80), err) }()
	if err := e.backupsAvailable(); err != nil {
		return nil, err
	}
	src, err := e.ownedAddon(ctx, app, name)
	if err != nil {
		return nil, err
	}
	path, err := e.backupPath(src, backup)
	if err != nil {
		return nil, err
	}
	if into == "" {
		return nil, FieldError("into", "name the new add-on (--into NAME)")
	}
	a, err = e.CreateAddon(ctx, AddonRequest{App: app, Kind: src.Kind, Name: into, Version: src.Version,
		Memory: FormatMemory(src.MemoryBytes), Output: w})
	if err != nil {
		return a, err
	}
	ctx, unlock, err := e.lockAddons(ctx, app)
	if err != nil {
		return a, err
	}
	defer unlock()
	newProgress(w).Step("Restoring %s into %s", backup, into)
	return a, e.restoreFile(ctx, a, path)
}
