package main

import (
	"fmt"
	"os"

	"github.com/quayside/quayside/ui/api"
)

type builderCmd struct {
	Show  builderShowCmd  `cmd:"" default:"withargs" help:"Show the buildpack builder an app uses."`
	Set   builderSetCmd   `cmd:"" help:"Build an app with another buildpack builder image. Developers may choose the server's own builders and those of --allowed-builders; only admins may choose others, which run untrusted (without the Docker socket)."`
	Unset builderUnsetCmd `cmd:"" help:"Build an app with the server's default builder again."`
}

type builderShowCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *builderShowCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.App(g.ctx, c.App)
	if err != nil {
		return err
	}
	printBuilder(a)
	return nil
}

type builderSetCmd struct {
	App   string `arg:"" help:"App name."`
	Image string `arg:"" help:"Builder image, such as heroku/builder:24 or quayside/builder:offline."`
}

func (c *builderSetCmd) Run(g *globals) error { return setBuilder(g, c.App, c.Image) }

type builderUnsetCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *builderUnsetCmd) Run(g *globals) error { return setBuilder(g, c.App, "") }

func setBuilder(g *globals, app, image string) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	a, err := cl.UpdateApp(g.ctx, app, api.UpdateApp{Builder: &image})
	if err != nil {
		return err
	}
	printBuilder(a)
	return nil
}

func printBuilder(a *api.App) {
	if a.Builder == "" {
		fmt.Printf("%s builds with the server's default builder (apps with a Dockerfile use it instead).\n", a.Name)
		return
	}
	fmt.Printf("%s builds with %s (apps with a Dockerfile use it instead).\n", a.Name, a.Builder)
}

type buildsCmd struct {
	ClearCache buildsClearCacheCmd `cmd:"" name:"clear-cache" help:"Make the next build of an app start from nothing."`
}

type buildsClearCacheCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *buildsClearCacheCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.ClearBuildCache(g.ctx, c.App); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "Cleared the build cache of %s. (For one push only: git push -o clear-cache.)\n", c.App)
	return nil
}
