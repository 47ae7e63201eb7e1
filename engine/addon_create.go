package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// Audit actions of add-ons.
const (
	AuditAddonCreate  = "addon.create"
	AuditAddonDestroy = "addon.destroy"
	AuditAddonAttach  = "addon.attach"
	AuditAddonDetach  = "addon.detach"
	AuditAddonPromote = "addon.promote"
	AuditAddonBackup  = "addon.backup"
	AuditAddonRestore = "addon.restore"
	AuditAddonExpose  = "addon.expose"
	AuditAddonShell   = "addon.shell"
	AuditAddonUpgrade = "addon.upgrade"
	AuditAddonChange  = "addon.change"
)

// addonReadyTimeout bounds how long a new add-on may take to answer.
const addonReadyTimeout = 90 * time.Second

// AddonRequest asks for a new add-on of App.
type AddonRequest struct {
	App, Kind string
	// Name defaults to the kind's default name (db, redis), numbered when taken.
	Name string
	// Version defaults to the kind's default version.
	Version string
	// Memory is a size such as "512M"; "" means DefaultAddonMemory.
	Memory string
	Output io.Writer
}

// CreateAddon creates an add-on for req.App: its volume and container on
// the app's network (never published), generated credentials, a wait
// until it answers, and a config release of the app with the URL. A
// failure before the release removes what was made.
func (e *Engine) CreateAddon(ctx context.Context, req AddonRequest) (a *Addon, err error) {
	if err := e.authorize(ctx, ActDeploy, req.App); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditAddonCreate, req.App, req.Name, req.Kind+" "+req.Version, err) }()
	if err := e.addonsAvailable(); err != nil {
		return nil, err
	}
	out := newProgress(req.Output)
	ctx, unlock, err := e.lockAddons(ctx, req.App)
	if err != nil {
		return nil, err
	}
	defer unlock()
	a, err = e.newAddon(ctx, req)
	if err != nil {
		return nil, err
	}
	req.Name = a.Name
	if err := e.cfg.Store.CreateAddon(ctx, a); err != nil {
		return nil, err
	}
	out.Step("Creating %s %s add-on %s of %s (%s)", a.Kind, a.Version, a.Name, a.App, a.Image)
	if err := e.startAddon(ctx, a, out); err != nil {
		e.undoCreate(ctx, a)
		return nil, err
	}
	out.Step("Setting %s on %s", a.VarOf(a.App), a.App)
	if _, err := e.SetConfig(ctx, ConfigChange{App: a.App, Set: map[string]string{a.VarOf(a.App): a.URL()}, Output: req.Output}); err != nil {
		return a, Wrapf(err, ErrorCode(err), "add-on %s runs, but the config release of %s failed: %s; fix the app and run `quayside addons attach %s %s` to set the variable again",
			a.Name, a.App, ErrorMessage(err), a.App, a.Ref())
	}
	return a, nil
}

// addonsAvailable refuses add-on work on a server without an add-on runtime.
func (e *Engine) addonsAvailable() error {
	if e.cfg.Addons == nil {
		return Errorf(EUNAVAILABLE, "add-ons are not available on this server: it runs without Docker")
	}
	return nil
}

// lockAddons serializes add-on changes of one app.
func (e *Engine) lockAddons(ctx context.Context, app string) (context.Context, func(), error) {
	return e.locks.lock(ctx, "addons:"+app)
}

// lockOwnedAddon checks that the server runs add-ons, takes the lock on
// app's add-ons and finds app's own add-on name. The caller runs unlock
// when err is nil.
func (e *Engine) lockOwnedAddon(ctx context.Context, app, name string) (context.Context, *Addon, func(), error) {
	if err := e.addonsAvailable(); err != nil {
		return ctx, nil, nil, err
	}
	ctx, unlock, err := e.lockAddons(ctx, app)
	if err != nil {
		return ctx, nil, nil, err
	}
	a, err := e.ownedAddon(ctx, app, name)
	if err != nil {
		unlock()
		return ctx, nil, nil, err
	}
	return ctx, a, unlock, nil
}

// newAddon checks req and returns the add-on it asks for, not yet stored.
func (e *Engine) newAddon(ctx context.Context, req AddonRequest) (*Addon, error) {
	app, err := e.cfg.Store.FindApp(ctx, req.App)
	if err != nil {
		return nil, err
	}
	kind, version, err := addonKind(req.Kind, req.Version)
	if err != nil {
		return nil, err
	}
	mem, err := e.addonMemory(ctx, req.Memory)
	if err != nil {
		return nil, err
	}
	owned, err := e.cfg.Store.ListAddons(ctx, app.Name)
	if err != nil {
		return nil, err
	}
	name, err := addonName(req.Name, kind, owned, app.Name)
	if err != nil {
		return nil, err
	}
	image, err := e.addonImage(ctx, kind.Name, version, req.Output)
	if err != nil {
		return nil, err
	}
	a := &Addon{
		App: app.Name, Name: name, Kind: kind.Name, Version: version, Image: image, MemoryBytes: mem,
		Password: addonSecret(), Volume: addonVolume(app.Name, name, version), Keep: DefaultAddonKeep,
		CreatedBy: actor(ctx, ""),
	}
	if kind.Name == AddonPostgres {
		a.User, a.Database = "app", "app"
	}
	v, err := e.freeVar(ctx, app, kind.PrimaryVar, name, owned)
	if err != nil {
		return nil, err
	}
	a.Attachments = []AddonAttachment{{App: app.Name, Var: v}}
	return a, nil
}

// addonName is req's name, or the kind's default name numbered past those
// the app's add-ons already use.
func addonName(name string, kind AddonKind, owned []*Addon, app string) (string, error) {
	taken := map[string]bool{}
	n := 0
	for _, a := range owned {
		if a.App == app {
			taken[a.Name] = true
			n++
		}
	}
	if n >= MaxAddonsPerApp {
		return "", Errorf(EINVALID, "app %s has %d add-ons, the most an app may have: destroy one first", app, n)
	}
	if name != "" {
		if err := ValidateAddonName(name); err != nil {
			return "", err
		}
		if taken[name] {
			return "", Errorf(ECONFLICT, "app %s already has an add-on named %s: choose another --name", app, name)
		}
		return name, nil
	}
	name = kind.DefaultName
	for i := 2; taken[name]; i++ {
		name = kind.DefaultName + itoa(i)
	}
	return name, nil
}

// freeVar is the variable app gets a new add-on's URL in: the kind's
// primary variable unless an add-on or the user already set it, else the
// name-derived one (DB2_URL).
func (e *Engine) freeVar(ctx context.Context, app *App, primary, name string, addons []*Addon) (string, error) {
	cv, err := e.cfg.Store.FindConfigVersion(ctx, app.Name, app.ConfigVersion)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for k := range cv.Vars {
		used[k] = true
	}
	for _, a := range addons {
		if v := a.VarOf(app.Name); v != "" {
			used[v] = true
		}
	}
	if !used[primary] {
		return primary, nil
	}
	v := namedVar(name)
	if used[v] {
		return "", Errorf(ECONFLICT, "config variable %s of %s is already set: unset it, or choose another --name", v, app.Name)
	}
	return v, nil
}

// addonMemory parses a memory size and checks it against the server's
// ceiling for those who may not exceed it.
func (e *Engine) addonMemory(ctx context.Context, s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultAddonMemory, nil
	}
	mem, err := ParseMemory(s)
	if err != nil {
		return 0, err
	}
	most := e.cfg.MaxLimits.MemoryBytes
	if id, ok := IdentityFrom(ctx); ok && !mayExceedLimitCeilings(id) && most > 0 && mem > most {
		return 0, Errorf(EFORBIDDEN, "memory=%s is above this server's ceiling of %s: ask an admin to create the add-on, or to raise the ceiling (quayside server --max-memory)",
			FormatMemory(mem), FormatMemory(most))
	}
	return mem, nil
}

// addonVolume names the data volume of an add-on at a major version.
func addonVolume(app, name, version string) string {
	return "addon-" + app + "-" + name + "-v" + version
}

// addonSecret is 32 random hex digits: safe in URLs and shells.
func addonSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails (it panics instead)
	return hex.EncodeToString(b)
}

// undoCreate removes what a failed create made: nothing there holds data yet.
func (e *Engine) undoCreate(ctx context.Context, a *Addon) {
	ctx = context.WithoutCancel(ctx)
	if err := e.cfg.Addons.RemoveAddon(ctx, a.App, a.Name, a.Volume); err != nil {
		e.log.Error("remove failed add-on", "app", a.App, "addon", a.Name, "err", err)
	}
	if err := e.cfg.Store.DeleteAddon(ctx, a.App, a.Name); err != nil {
		e.log.Error("forget failed add-on", "app", a.App, "addon", a.Name, "err", err)
	}
}
