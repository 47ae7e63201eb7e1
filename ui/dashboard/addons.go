package dashboard

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// addonRow is one add-on on the app page: its state and figures, the
// variable the app finds it in, and its backups (newest first).
type addonRow struct {
	Info    *engine.AddonInfo
	Var     string
	State   string
	Size    string
	Memory  string
	Backups []backupRow
	// Owned says the app owns it (backups and restore are the owner's).
	Owned bool
}

// backupRow is one backup of an add-on with its size for people.
type backupRow struct {
	*engine.AddonBackup
	Size string
}

// loadAddons adds the add-ons of app to the app page's data. A server
// without add-ons shows none.
func (d *Dashboard) loadAddons(c echo.Context, v *view, app string, data *appData) error {
	ctx := c.Request().Context()
	list, err := d.cfg.Engine.Addons(ctx, app)
	if engine.ErrorCode(err) == engine.EUNAVAILABLE {
		return nil
	}
	if err != nil {
		return err
	}
	for _, a := range list {
		row := addonRow{Info: a, Var: a.VarOf(app), State: "missing", Owned: a.App == app,
			Size: engine.FormatMemory(a.SizeBytes), Memory: "-"}
		if a.Container != nil {
			row.State = a.Container.State
			if a.Container.Running {
				row.Memory = engine.FormatMemory(a.Container.MemoryBytes)
			}
		}
		row.Memory += " / " + engine.FormatMemory(a.MemoryBytes)
		if row.Owned {
			backups, err := d.cfg.Engine.AddonBackups(ctx, app, a.Name)
			if err != nil {
				return err
			}
			for _, b := range backups {
				row.Backups = append(row.Backups, backupRow{AddonBackup: b, Size: engine.FormatMemory(b.SizeBytes)})
			}
		}
		data.Addons = append(data.Addons, row)
	}
	data.CanRestoreAddon = v.Can(engine.ActDestroyApp)
	return nil
}

// restoreAddon replaces an add-on's live data with the backup in the form,
// once confirmed on the confirmation page.
func (d *Dashboard) restoreAddon(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "releases")
	if err != nil {
		return err
	}
	if err := d.authorize(c, v, engine.ActDestroyApp); err != nil {
		return err
	}
	name, backup := c.FormValue("addon"), c.FormValue("backup")
	if name == "" || backup == "" {
		return engine.FieldError("backup", "choose the add-on and the backup to restore")
	}
	if c.FormValue("confirm") != "yes" {
		v.Data = confirmData{
			Question: "Restore " + name + " of " + app.Name + " from " + backup + "?",
			Detail:   "The live data of " + name + " is replaced by the backup's. A backup of the data it replaces is taken first (pre-restore).",
			Action:   appPath(app.Name, "addons", "restore"), Fields: map[string]string{"addon": name, "backup": backup},
			Button: "Restore", Busy: "Restoring…", Cancel: appPath(app.Name),
		}
		return d.render(c, http.StatusOK, "confirm", v)
	}
	if err := d.cfg.Engine.RestoreAddon(longCtx(c), app.Name, name, backup, nil); err != nil {
		return err
	}
	return redirectDone(c, appPath(app.Name), "addon-restored")
}
