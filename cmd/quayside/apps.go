package main

import (
	"fmt"

	"github.com/quayside/quayside/ui/api"
)

type appsCmd struct {
	List      appsListCmd      `cmd:"" default:"1" help:"List apps (the default)."`
	Create    appsCreateCmd    `cmd:"" help:"Create an app (a first git push also creates it)."`
	Info      appsInfoCmd      `cmd:"" help:"Show one app."`
	Branch    appsBranchCmd    `cmd:"" help:"Set the branch pushes must target to deploy."`
	Destroy   appsDestroyCmd   `cmd:"" help:"Destroy an app and everything it owns."`
	Placement appsPlacementCmd `cmd:"" help:"Show or set which cluster nodes an app's replicas may run on (admins set)."`
}

type appsListCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *appsListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	apps, err := cl.ListApps(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(apps)
	}
	if len(apps) == 0 {
		fmt.Println("No apps yet. Create one with `quayside apps create NAME`, or just git push to it.")
		return nil
	}
	w := table("NAME", "RELEASE", "STATE", "URL")
	for _, a := range groupPreviews(apps) {
		rel := "-"
		if a.CurrentRelease > 0 {
			rel = fmt.Sprintf("v%d", a.CurrentRelease)
		}
		name := a.Name
		if a.PreviewOf != "" {
			name = "  preview " + a.Name
		}
		row(w, name, rel, a.State, a.URL)
	}
	return w.Flush()
}

// groupPreviews orders apps (sorted by name) so that each app's previews
// follow it; previews of an app not in the list come last.
func groupPreviews(apps []api.App) []api.App {
	previews := map[string][]api.App{}
	var out, orphans []api.App
	listed := map[string]bool{}
	for _, a := range apps {
		if a.PreviewOf != "" {
			previews[a.PreviewOf] = append(previews[a.PreviewOf], a)
		} else {
			listed[a.Name] = true
		}
	}
	for _, a := range apps {
		switch {
		case a.PreviewOf == "":
			out = append(append(out, a), previews[a.Name]...)
		case !listed[a.PreviewOf]:
			orphans = append(orphans, a)
		}
	}
	return append(out, orphans...)
}

type appsCreateCmd struct {
	Name string `arg:"" help:"App name: lowercase letters, digits and hyphens, starting with a letter."`
}

func (c *appsCreateCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	app, err := cl.CreateApp(g.ctx, c.Name)
	if err != nil {
		return err
	}
	st, err := cl.Status(g.ctx)
	if err != nil {
		return err
	}
	fmt.Printf("Created %s. It will answer at %s\n", app.Name, app.URL)
	fmt.Printf("Deploy it with:\n  git remote add quayside %s%s\n  git push quayside %s\n", st.GitURL, app.Name, app.DeployBranch)
	return nil
}

type appsInfoCmd struct {
	App  string `arg:"" help:"App name."`
	JSON bool   `help:"Print JSON."`
}

func (c *appsInfoCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.App(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(a)
	}
	w := table("Name:", a.Name)
	row(w, "URL:", a.URL)
	row(w, "State:", a.State)
	if a.PreviewOf != "" {
		row(w, "Preview of:", a.PreviewOf)
	}
	row(w, "Current release:", releaseName(a.CurrentRelease))
	row(w, "Deploy branch:", a.DeployBranch)
	row(w, "Health check:", fmt.Sprintf("GET %s, timeout %gs, drain %gs", a.Health.Path, a.Health.TimeoutSeconds, a.Health.DrainSeconds))
	row(w, "Created:", fmt.Sprintf("%s by %s", ago(a.CreatedAt), a.CreatedBy))
	return w.Flush()
}

func releaseName(n int) string {
	if n == 0 {
		return "none yet"
	}
	return fmt.Sprintf("v%d", n)
}

type appsBranchCmd struct {
	App    string `arg:"" help:"App name."`
	Branch string `arg:"" help:"Branch name, such as main or production."`
}

func (c *appsBranchCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.UpdateApp(g.ctx, c.App, updateBranch(c.Branch))
	if err != nil {
		return err
	}
	fmt.Printf("%s now deploys from branch %s\n", a.Name, a.DeployBranch)
	return nil
}

type appsDestroyCmd struct {
	App     string `arg:"" help:"App name."`
	Confirm string `help:"Repeat the app's name to confirm: destroying cannot be undone."`
	// An app that owns add-ons is only destroyed with them.
	WithAddons bool `help:"Also destroy the add-ons the app owns (each keeps a final backup)."`
	NoBackup   bool `help:"With --with-addons: take no final backups."`
}

func (c *appsDestroyCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if c.WithAddons {
		err = cl.DestroyAppWithAddons(g.ctx, c.App, c.Confirm, c.NoBackup)
	} else {
		err = cl.DestroyApp(g.ctx, c.App, c.Confirm)
	}
	if err != nil {
		return err
	}
	fmt.Printf("Destroyed %s: its containers, images, repository, releases and config are gone.\n", c.App)
	return nil
}
