package ui

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listAddons(c echo.Context) error {
	list, err := s.cfg.Engine.Addons(c.Request().Context(), c.Param("app"))
	if err != nil {
		return err
	}
	out := api.AddonList{Addons: make([]api.Addon, 0, len(list))}
	for _, a := range list {
		out.Addons = append(out.Addons, addonJSON(a))
	}
	return c.JSON(http.StatusOK, out)
}

// getAddon shows an add-on; ?reveal=true adds its URL for those who may
// read the owner's config values (audited, refused from other sites).
func (s *Server) getAddon(c echo.Context) error {
	ctx := c.Request().Context()
	info, err := s.cfg.Engine.AddonInfo(ctx, c.Param("app"), c.Param("addon"))
	if err != nil {
		return err
	}
	out := addonJSON(info)
	if c.QueryParam("reveal") == "true" {
		if fromAnotherSite(c.Request()) {
			return errRevealElsewhere
		}
		if out.URL, err = s.cfg.Engine.AddonURL(ctx, c.Param("app"), c.Param("addon")); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createAddon(c echo.Context) error {
	var in api.CreateAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		ctx := c.Request().Context()
		a, err := s.cfg.Engine.CreateAddon(ctx, engine.AddonRequest{
			App: c.Param("app"), Kind: in.Kind, Name: in.Name, Version: in.Version, Memory: in.Memory, Output: w,
		})
		if err != nil {
			return api.StreamEvent{}, err
		}
		info, err := s.cfg.Engine.AddonInfo(ctx, a.App, a.Name)
		if err != nil {
			return api.StreamEvent{}, err
		}
		out := addonJSON(info)
		return api.StreamEvent{Addon: &out}, nil
	})
}

func (s *Server) changeAddon(c echo.Context) error {
	var in api.ChangeAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if in.Keep == nil {
		return engine.FieldError("keep", "nothing to change: give keep, the number of daily backups to keep (0 for none)")
	}
	if err := s.cfg.Engine.SetAddonKeep(ctx, c.Param("app"), c.Param("addon"), *in.Keep); err != nil {
		return err
	}
	return s.getAddon(c)
}

func (s *Server) destroyAddon(c echo.Context) error {
	name := c.Param("addon")
	if c.QueryParam("confirm") != name {
		return engine.FieldError("confirm", "destroying add-on %s removes its data for good: confirm with its name (quayside addons destroy %s %s --confirm %s)",
			name, c.Param("app"), name, name)
	}
	noBackup := c.QueryParam("no_backup") == "true"
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		return api.StreamEvent{}, s.cfg.Engine.DestroyAddon(c.Request().Context(), c.Param("app"), name, noBackup, w)
	})
}

// attachmentOp runs op(app, ref) for a body naming an add-on.
func (s *Server) attachmentOp(c echo.Context, op func(w *streamWriter, app, ref string) error) error {
	var in api.AttachAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.Addon == "" {
		return engine.FieldError("addon", "name the add-on, as NAME or OWNER_APP/NAME")
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		return api.StreamEvent{}, op(w, c.Param("app"), in.Addon)
	})
}

func (s *Server) attachAddon(c echo.Context) error {
	return s.attachmentOp(c, func(w *streamWriter, app, ref string) error {
		_, err := s.cfg.Engine.AttachAddon(c.Request().Context(), app, ref, w)
		return err
	})
}

func (s *Server) detachAddon(c echo.Context) error {
	return s.attachmentOp(c, func(w *streamWriter, app, ref string) error {
		return s.cfg.Engine.DetachAddon(c.Request().Context(), app, ref, w)
	})
}

func (s *Server) promoteAddon(c echo.Context) error {
	return s.attachmentOp(c, func(w *streamWriter, app, ref string) error {
		return s.cfg.Engine.PromoteAddon(c.Request().Context(), app, ref, w)
	})
}

func (s *Server) addonLogs(c echo.Context) error {
	lines := 100
	if v := c.QueryParam("lines"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return engine.FieldError("lines", "lines must be a number from 1 to 10000")
		}
		lines = n
	}
	text, err := s.cfg.Engine.AddonLogs(c.Request().Context(), c.Param("app"), c.Param("addon"), lines)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.AddonLogs{Text: engine.CleanText(text)})
}

func (s *Server) listAddonBackups(c echo.Context) error {
	list, err := s.cfg.Engine.AddonBackups(c.Request().Context(), c.Param("app"), c.Param("addon"))
	if err != nil {
		return err
	}
	out := api.AddonBackupList{Backups: make([]api.AddonBackup, 0, len(list))}
	for _, b := range list {
		out.Backups = append(out.Backups, backupJSON(b))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) backupAddon(c echo.Context) error {
	b, err := s.cfg.Engine.BackupAddon(c.Request().Context(), c.Param("app"), c.Param("addon"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, backupJSON(b))
}

func (s *Server) restoreAddon(c echo.Context) error {
	var in api.RestoreAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	name := c.Param("addon")
	if in.Confirm != name {
		return engine.FieldError("confirm", "restoring replaces the live data of %s (a backup of it is taken first): confirm with the add-on's name (--confirm %s)", name, name)
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		return api.StreamEvent{}, s.cfg.Engine.RestoreAddon(c.Request().Context(), c.Param("app"), name, in.Backup, w)
	})
}

func backupJSON(b *engine.AddonBackup) api.AddonBackup {
	return api.AddonBackup{Name: b.Name, Label: b.Label, SizeBytes: b.SizeBytes, CreatedAt: b.CreatedAt}
}

func addonJSON(a *engine.AddonInfo) api.Addon {
	out := api.Addon{
		App: a.App, Name: a.Name, Kind: a.Kind, Version: a.Version, Image: a.Image, State: "missing",
		MemoryLimitBytes: a.MemoryBytes, SizeBytes: a.SizeBytes, Host: a.Host(), Keep: a.Keep,
		LastBackup: timePtr(a.LastBackup), ExposeAddr: a.ExposeAddr, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
		Attachments: make([]api.AddonAttachment, 0, len(a.Attachments)),
	}
	for _, at := range a.Attachments {
		out.Attachments = append(out.Attachments, api.AddonAttachment{App: at.App, Var: at.Var})
	}
	if c := a.Container; c != nil {
		out.State, out.Running, out.MemoryBytes = c.State, c.Running, c.MemoryBytes
	}
	return out
}

func (s *Server) addonShell(c echo.Context) error {
	var in api.AddonShell
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		code, err := s.cfg.Engine.AddonShell(c.Request().Context(), engine.AddonShellRequest{
			App: c.Param("app"), Name: c.Param("addon"), Input: in.Input, Args: in.Args, Output: w,
		})
		if err != nil {
			return api.StreamEvent{}, err
		}
		return api.StreamEvent{ExitCode: &code}, nil
	})
}

func (s *Server) exposeAddon(c echo.Context) error {
	var in api.ExposeAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		return api.StreamEvent{}, s.cfg.Engine.ExposeAddon(c.Request().Context(), engine.ExposeRequest{
			App: c.Param("app"), Name: c.Param("addon"), Addr: in.To, Public: in.Public, Output: w,
		})
	})
}

func (s *Server) upgradeAddon(c echo.Context) error {
	var in api.UpgradeAddon
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if (in.Version == "") == !in.RemoveOld {
		return engine.FieldError("version", "give the version to upgrade to, or remove_old=true")
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		ctx := c.Request().Context()
		if in.RemoveOld {
			removed, err := s.cfg.Engine.RemoveOldVolumes(ctx, c.Param("app"), c.Param("addon"))
			if err == nil {
				fmt.Fprintf(w, "Removed %d old volume(s)\n", len(removed))
			}
			return api.StreamEvent{}, err
		}
		return api.StreamEvent{}, s.cfg.Engine.UpgradeAddon(ctx, c.Param("app"), c.Param("addon"), in.Version, w)
	})
}

func (s *Server) restoreAddonInto(c echo.Context) error {
	var in api.RestoreAddonInto
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	return s.streamOp(c, func(w *streamWriter) (api.StreamEvent, error) {
		_, err := s.cfg.Engine.RestoreAddonInto(c.Request().Context(), c.Param("app"), c.Param("addon"), in.Backup, in.Into, w)
		return api.StreamEvent{}, err
	})
}

// addonBodies are the bodies (see bodies in openapi.go) of the add-on routes.
var addonBodies = map[string][2]any{
	"GET /apps/:app/addons":                      {nil, api.AddonList{}},
	"POST /apps/:app/addons":                     {api.CreateAddon{}, api.Addon{}},
	"GET /apps/:app/addons/:addon":               {nil, api.Addon{}},
	"PATCH /apps/:app/addons/:addon":             {api.ChangeAddon{}, api.Addon{}},
	"DELETE /apps/:app/addons/:addon":            {nil, nil},
	"GET /apps/:app/addons/:addon/logs":          {nil, api.AddonLogs{}},
	"GET /apps/:app/addons/:addon/backups":       {nil, api.AddonBackupList{}},
	"POST /apps/:app/addons/:addon/backups":      {nil, api.AddonBackup{}},
	"POST /apps/:app/addons/:addon/restore":      {api.RestoreAddon{}, nil},
	"POST /apps/:app/addons/:addon/restore-into": {api.RestoreAddonInto{}, nil},
	"POST /apps/:app/addons/:addon/shell":        {api.AddonShell{}, nil},
	"POST /apps/:app/addons/:addon/expose":       {api.ExposeAddon{}, nil},
	"POST /apps/:app/addons/:addon/upgrade":      {api.UpgradeAddon{}, nil},
	"POST /apps/:app/attachments":                {api.AttachAddon{}, nil},
	"POST /apps/:app/attachments/detach":         {api.AttachAddon{}, nil},
	"POST /apps/:app/attachments/promote":        {api.AttachAddon{}, nil},
}

func init() { maps.Copy(bodies, addonBodies) }
