package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type addonsCmd struct {
	List    addonsListCmd    `cmd:"" default:"withargs" help:"List an app's add-ons (those it owns and those it is attached to)."`
	Create  addonsCreateCmd  `cmd:"" help:"Create a Postgres or Redis add-on for an app: quayside addons create APP postgres [--name db] [--version 15] [--memory 512M]"`
	Info    addonsInfoCmd    `cmd:"" help:"Show an add-on: state, version, size, memory, attachments, backups (--reveal: its URL)."`
	Attach  addonsAttachCmd  `cmd:"" help:"Give another app the URL of an add-on: quayside addons attach OTHER_APP OWNER_APP/NAME"`
	Detach  addonsDetachCmd  `cmd:"" help:"Take an add-on's URL from an app it was attached to: quayside addons detach APP OWNER_APP/NAME"`
	Promote addonsPromoteCmd `cmd:"" help:"Make an add-on the app's primary one of its kind (DATABASE_URL, REDIS_URL)."`
	Destroy addonsDestroyCmd `cmd:"" help:"Destroy an add-on and its data (a final backup is kept unless --no-backup)."`
	Logs    addonsLogsCmd    `cmd:"" help:"Print the last lines an add-on logged."`
	Backup  addonsBackupCmd  `cmd:"" help:"Take a backup of an add-on now (Postgres: pg_dump custom format; Redis: an RDB snapshot)."`
	Backups addonsBackupsCmd `cmd:"" help:"List an add-on's backups, or set how many daily ones it keeps (--keep N)."`
	Restore addonsRestoreCmd `cmd:"" help:"Replace an add-on's live data with one of its backups (its current data is backed up first)."`
	Expose  addonsExposeCmd  `cmd:"" help:"Publish an add-on's port on the host for an admin connection: --to 127.0.0.1:15432 (--off stops; other than loopback needs --public)."`
	Upgrade addonsUpgradeCmd `cmd:"" help:"Move an add-on to a newer major version: --version 16 (backup, new version, restore; the old volume is kept until --remove-old)."`
	Psql    addonsPsqlCmd    `cmd:"" help:"Run SQL in an app's Postgres: quayside addons psql APP [NAME] [-c SQL] (statements at a prompt, or piped in)."`
	Redis   addonsRedisCmd   `cmd:"" name:"redis-cli" help:"Run redis-cli in an app's Redis: quayside addons redis-cli APP [NAME] [-- CMD ARGS]"`
}

type addonsListCmd struct {
	App  string `arg:"" optional:"" help:"App name (default: the add-ons of every app you can see)."`
	JSON bool   `help:"Print JSON."`
}

func (c *addonsListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	list, err := listAddons(g, cl, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(list)
	}
	if len(list) == 0 && c.App == "" {
		fmt.Println("No add-ons: create one with quayside addons create APP postgres")
		return nil
	}
	if len(list) == 0 {
		fmt.Printf("%s has no add-ons: create one with quayside addons create %s postgres\n", c.App, c.App)
		return nil
	}
	w := table("ADD-ON", "KIND", "STATE", "SIZE", "MEMORY", "VARIABLE", "LAST BACKUP")
	for _, a := range list {
		app := c.App
		if app == "" {
			app = a.App
		}
		row(w, addonRef(c.App, a), a.Kind+" "+a.Version, a.State, engine.FormatMemory(a.SizeBytes),
			memoryOf(a), varOf(a, app), lastBackup(a))
	}
	return w.Flush()
}

// listAddons lists app's add-ons, or those every visible app owns.
func listAddons(g *globals, cl *api.Client, app string) ([]api.Addon, error) {
	if app != "" {
		return cl.Addons(g.ctx, app)
	}
	apps, err := cl.ListApps(g.ctx)
	if err != nil {
		return nil, err
	}
	all := []api.Addon{}
	for _, a := range apps {
		list, err := cl.Addons(g.ctx, a.Name)
		if err != nil {
			return nil, err
		}
		for _, ad := range list {
			if ad.App == a.Name {
				all = append(all, ad)
			}
		}
	}
	return all, nil
}

// addonRef names a for app: NAME when app owns it, OWNER/NAME otherwise.
func addonRef(app string, a api.Addon) string {
	if a.App == app {
		return a.Name
	}
	return a.App + "/" + a.Name
}

func memoryOf(a api.Addon) string {
	return engine.FormatMemory(a.MemoryBytes) + " / " + engine.FormatMemory(a.MemoryLimitBytes)
}

func varOf(a api.Addon, app string) string {
	for _, at := range a.Attachments {
		if at.App == app {
			return at.Var
		}
	}
	return "-"
}

func lastBackup(a api.Addon) string {
	if a.LastBackup == nil {
		return "never"
	}
	return ago(*a.LastBackup)
}

type addonsCreateCmd struct {
	App     string `arg:"" help:"App name."`
	Kind    string `arg:"" enum:"postgres,redis" help:"postgres or redis."`
	Name    string `help:"Add-on name (default: db for postgres, redis for redis, numbered when taken)."`
	Version string `help:"Major version (default: postgres 15, redis 7)."`
	Memory  string `help:"Memory cap, such as 512M (default 512M)."`
}

func (c *addonsCreateCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.CreateAddon(g.ctx, c.App, api.CreateAddon{Kind: c.Kind, Name: c.Name, Version: c.Version, Memory: c.Memory}, os.Stdout)
	if err != nil {
		return err
	}
	if a != nil {
		fmt.Printf("Created %s %s add-on %s of %s: the app finds it in %s.\n", a.Kind, a.Version, a.Name, c.App, varOf(*a, c.App))
	}
	return nil
}

type addonArgs struct {
	App  string `arg:"" help:"App name."`
	Name string `arg:"" help:"Add-on name."`
}

type addonsInfoCmd struct {
	addonArgs
	Reveal bool `help:"Show the URL (with its password); audited."`
	JSON   bool `help:"Print JSON."`
}

func (c *addonsInfoCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.Addon(g.ctx, c.App, c.Name, c.Reveal)
	if err != nil {
		return err
	}
	backups, err := cl.AddonBackups(g.ctx, c.App, c.Name)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(struct {
			api.Addon
			Backups []api.AddonBackup `json:"backups"`
		}{*a, backups})
	}
	printAddon(*a, backups)
	return nil
}

func printAddon(a api.Addon, backups []api.AddonBackup) {
	fmt.Printf("Add-on:      %s of %s (%s %s, %s)\n", a.Name, a.App, a.Kind, a.Version, a.Image)
	fmt.Printf("State:       %s\n", a.State)
	fmt.Printf("Size:        %s on disk\n", engine.FormatMemory(a.SizeBytes))
	fmt.Printf("Memory:      %s\n", memoryOf(a))
	fmt.Printf("Host:        %s (on the networks of the attached apps only)\n", a.Host)
	if a.URL != "" {
		fmt.Printf("URL:         %s\n", a.URL)
	}
	for _, at := range a.Attachments {
		fmt.Printf("Attached:    %s as %s\n", at.App, at.Var)
	}
	keep := "no daily backups"
	if a.Keep > 0 {
		keep = fmt.Sprintf("daily, keeping %d", a.Keep)
	}
	fmt.Printf("Backups:     %s; last %s\n", keep, lastBackup(a))
	for _, b := range backups {
		fmt.Printf("             %s  %s\n", b.Name, engine.FormatMemory(b.SizeBytes))
	}
}

type addonsAttachCmd struct {
	App   string `arg:"" help:"The app that gets the URL."`
	Addon string `arg:"" help:"The add-on, as OWNER_APP/NAME."`
}

func (c *addonsAttachCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.AttachAddon(g.ctx, c.App, c.Addon, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("Attached %s to %s.\n", c.Addon, c.App)
	return nil
}

type addonsDetachCmd struct {
	App   string `arg:"" help:"The app to take the URL from."`
	Addon string `arg:"" help:"The add-on, as OWNER_APP/NAME."`
}

func (c *addonsDetachCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.DetachAddon(g.ctx, c.App, c.Addon, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("Detached %s from %s.\n", c.Addon, c.App)
	return nil
}

type addonsPromoteCmd struct {
	App   string `arg:"" help:"App name."`
	Addon string `arg:"" help:"The add-on, as NAME or OWNER_APP/NAME."`
}

func (c *addonsPromoteCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.PromoteAddon(g.ctx, c.App, c.Addon, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("%s is now the primary add-on of its kind for %s.\n", c.Addon, c.App)
	return nil
}

type addonsDestroyCmd struct {
	addonArgs
	Confirm  string `help:"Repeat the add-on's name to confirm: its data is removed."`
	NoBackup bool   `help:"Take no final backup."`
}

func (c *addonsDestroyCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.DestroyAddon(g.ctx, c.App, c.Name, c.Confirm, c.NoBackup, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("Destroyed add-on %s of %s.\n", c.Name, c.App)
	return nil
}

type addonsLogsCmd struct {
	addonArgs
	Lines int `short:"n" default:"100" help:"How many lines."`
}

func (c *addonsLogsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	text, err := cl.AddonLogs(g.ctx, c.App, c.Name, c.Lines)
	if err != nil {
		return err
	}
	fmt.Print(text)
	return nil
}

type addonsBackupCmd struct{ addonArgs }

func (c *addonsBackupCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	b, err := cl.BackupAddon(g.ctx, c.App, c.Name)
	if err != nil {
		return err
	}
	fmt.Printf("Backed up %s of %s: %s (%s).\n", c.Name, c.App, b.Name, engine.FormatMemory(b.SizeBytes))
	return nil
}

type addonsBackupsCmd struct {
	addonArgs
	Action string `arg:"" optional:"" enum:"list," default:"list" help:"list (the default)."`
	Keep   *int   `help:"Keep this many daily backups (0: no daily backups)."`
	JSON   bool   `help:"Print JSON."`
}

func (c *addonsBackupsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if c.Keep != nil {
		if _, err := cl.ChangeAddon(g.ctx, c.App, c.Name, api.ChangeAddon{Keep: c.Keep}); err != nil {
			return err
		}
		fmt.Printf("%s of %s keeps %d daily backups.\n", c.Name, c.App, *c.Keep)
	}
	list, err := cl.AddonBackups(g.ctx, c.App, c.Name)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(list)
	}
	if len(list) == 0 {
		fmt.Printf("%s of %s has no backups yet: take one with quayside addons backup %s %s\n", c.Name, c.App, c.App, c.Name)
		return nil
	}
	w := table("BACKUP", "WHY", "SIZE", "TAKEN")
	for _, b := range list {
		row(w, b.Name, b.Label, engine.FormatMemory(b.SizeBytes), ago(b.CreatedAt))
	}
	return w.Flush()
}

type addonsRestoreCmd struct {
	addonArgs
	Backup  string `arg:"" help:"The backup's name (see quayside addons backups APP NAME)."`
	Confirm string `help:"Repeat the add-on's name to confirm: its live data is replaced."`
	Into    string `placeholder:"NEW" help:"Restore into a new add-on called NEW instead (the live data stays; the app gets NEW_URL)."`
}

func (c *addonsRestoreCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if c.Into != "" {
		if err := cl.RestoreAddonInto(g.ctx, c.App, c.Name, api.RestoreAddonInto{Backup: c.Backup, Into: c.Into}, os.Stdout); err != nil {
			return err
		}
		fmt.Printf("Restored %s of %s into the new add-on %s.\n", c.Backup, c.Name, c.Into)
		return nil
	}
	if c.Confirm == "" && term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Printf("This replaces the live data of %s of %s with %s (the current data is backed up first).\nType the add-on's name to go on: ", c.Name, c.App, c.Backup)
		var answer string
		_, _ = fmt.Scanln(&answer)
		c.Confirm = strings.TrimSpace(answer)
	}
	if err := cl.RestoreAddon(g.ctx, c.App, c.Name, api.RestoreAddon{Backup: c.Backup, Confirm: c.Confirm}, os.Stdout); err != nil {
		return err
	}
	fmt.Printf("Restored %s of %s from %s.\n", c.Name, c.App, c.Backup)
	return nil
}

type addonsExposeCmd struct {
	addonArgs
	To     string `placeholder:"IP:PORT" help:"Host address and port to publish on, such as 127.0.0.1:15432."`
	Off    bool   `help:"Publish nothing again."`
	Public bool   `help:"Allow an address other than loopback (0.0.0.0: anyone who reaches the server may try the password)."`
}

func (c *addonsExposeCmd) Run(g *globals) error {
	if (c.To == "") == !c.Off {
		return engine.Errorf(engine.EINVALID, "give --to IP:PORT to publish the add-on, or --off to stop")
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.ExposeAddon(g.ctx, c.App, c.Name, api.ExposeAddon{To: c.To, Public: c.Public}, os.Stdout); err != nil {
		return err
	}
	if c.Off {
		fmt.Printf("%s of %s is published nowhere now.\n", c.Name, c.App)
	} else {
		fmt.Printf("%s of %s answers on %s (its password: quayside addons info %s %s --reveal).\n", c.Name, c.App, c.To, c.App, c.Name)
	}
	return nil
}

type addonsUpgradeCmd struct {
	addonArgs
	Version   string `help:"The major version to move to, such as 16."`
	RemoveOld bool   `help:"Remove the volumes kept from earlier upgrades instead."`
}

func (c *addonsUpgradeCmd) Run(g *globals) error {
	if (c.Version == "") == !c.RemoveOld {
		return engine.Errorf(engine.EINVALID, "give --version N to upgrade, or --remove-old to remove the volumes kept from before")
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	return cl.UpgradeAddon(g.ctx, c.App, c.Name, api.UpgradeAddon{Version: c.Version, RemoveOld: c.RemoveOld}, os.Stdout)
}
