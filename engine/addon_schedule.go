package engine

import (
	"context"
	"path/filepath"
	"time"
)

// Timing of the add-ons' background work.
const (
	// addonCheckEvery is how often due daily backups are looked for.
	addonCheckEvery = 10 * time.Minute
	// dailyBackupEvery is the age of the newest daily backup that makes
	// the next one due.
	dailyBackupEvery = 24 * time.Hour
)

// startAddons brings every add-on's container back (ReconcileAddons) and
// then takes the daily backups in the background until ctx ends.
func (e *Engine) startAddons(ctx context.Context) {
	if e.cfg.Addons == nil {
		return
	}
	if err := e.ReconcileAddons(ctx); err != nil {
		e.log.Error("reconcile add-ons", "err", err)
	}
	if e.backupsAvailable() != nil {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		tick := time.NewTicker(addonCheckEvery)
		defer tick.Stop()
		for {
			e.TakeDailyBackups(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// ReconcileAddons starts a container for every add-on that has none or
// whose container stopped (after a Docker restart or a crash), on the
// add-on's existing volume. When the volume is gone (a server restored on
// another machine), the new one is filled from the newest backup in the
// background.
func (e *Engine) ReconcileAddons(ctx context.Context) error {
	list, err := e.cfg.Store.ListAddons(ctx, "")
	if err != nil {
		return err
	}
	for _, a := range list {
		c, err := e.cfg.Addons.InspectAddon(ctx, a.App, a.Name)
		if err == nil && c.State != "exited" && c.State != "dead" && c.State != "created" {
			continue
		}
		if err != nil && ErrorCode(err) != ENOTFOUND {
			e.log.Error("inspect add-on", "app", a.App, "addon", a.Name, "err", err)
			continue
		}
		c, err = e.cfg.Addons.StartAddon(ctx, e.addonSpec(a))
		if err != nil {
			e.log.Error("start add-on", "app", a.App, "addon", a.Name, "err", err)
			continue
		}
		e.log.Info("add-on container started again", "app", a.App, "addon", a.Name, "new_volume", c.NewVolume)
		if c.NewVolume {
			e.wg.Add(1)
			go func() { defer e.wg.Done(); e.restoreNewest(context.WithoutCancel(ctx), a) }()
		}
	}
	return nil
}

// restoreNewest fills the new, empty volume of a (a server restored from
// a backup onto another machine, or a volume removed by hand) from its
// newest backup, when it has one.
func (e *Engine) restoreNewest(ctx context.Context, a *Addon) {
	if e.backupsAvailable() != nil {
		return
	}
	list, err := e.listBackups(a)
	if err != nil || len(list) == 0 {
		e.log.Warn("add-on started with an empty volume and no backup to restore", "app", a.App, "addon", a.Name, "err", err)
		return
	}
	ctx, unlock, err := e.lockAddons(ctx, a.App)
	if err != nil {
		return
	}
	defer unlock()
	if err := e.waitAddonReady(ctx, a); err != nil {
		e.log.Error("restore add-on into its new volume", "app", a.App, "addon", a.Name, "err", err)
		return
	}
	err = e.restoreFile(ctx, a, filepath.Join(e.backupDir(a), list[0].Name))
	if err != nil {
		e.log.Error("restore add-on into its new volume", "app", a.App, "addon", a.Name, "backup", list[0].Name, "err", err)
		return
	}
	e.log.Info("add-on restored into its new volume", "app", a.App, "addon", a.Name, "backup", list[0].Name)
}

// TakeDailyBackups backs up every add-on whose newest daily backup is a
// day old (or missing) and keeps only its newest Keep daily backups.
func (e *Engine) TakeDailyBackups(ctx context.Context) {
	list, err := e.cfg.Store.ListAddons(ctx, "")
	if err != nil {
		e.log.Error("list add-ons", "err", err)
		return
	}
	for _, a := range list {
		if a.Keep == 0 || ctx.Err() != nil {
			continue
		}
		if err := e.dailyBackup(ctx, a); err != nil {
			e.log.Error("daily add-on backup", "app", a.App, "addon", a.Name, "err", err)
		}
	}
}

// dailyBackup takes a's daily backup if it is due and prunes old ones.
func (e *Engine) dailyBackup(ctx context.Context, a *Addon) error {
	ctx, unlock, err := e.lockAddons(ctx, a.App)
	if err != nil {
		return err
	}
	defer unlock()
	a, err = e.cfg.Store.FindAddon(ctx, a.App, a.Name)
	if err != nil || a.Keep == 0 {
		return err
	}
	if !e.dailyDue(a) {
		return nil
	}
	if _, err := e.backupAddon(ctx, a, BackupDaily); err != nil {
		return err
	}
	return e.pruneBackups(a, BackupDaily, a.Keep)
}

// dailyDue reports whether a's newest daily backup is older than a day.
func (e *Engine) dailyDue(a *Addon) bool {
	list, err := e.listBackups(a)
	if err != nil {
		return false
	}
	for _, b := range list {
		if b.Label == BackupDaily {
			return e.now().Sub(b.CreatedAt) >= dailyBackupEvery
		}
	}
	return true
}
