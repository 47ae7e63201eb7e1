package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type previewsCmd struct {
	List    previewsListCmd    `cmd:"" default:"withargs" help:"List previews: of one app, or of every app you can see."`
	Enable  previewsEnableCmd  `cmd:"" help:"Deploy each branch pushed to the app (other than its deploy branch) as a preview."`
	Disable previewsDisableCmd `cmd:"" help:"Stop making previews of an app and destroy those it has."`
	Destroy previewsDestroyCmd `cmd:"" help:"Destroy the preview of a branch (git push quayside --delete BRANCH does the same)."`
}

// previewsListCmd takes its app as an optional argument (or --app, which
// becomes --for-app): without one it lists every app's previews.
type previewsListCmd struct {
	Of     string `arg:"" optional:"" name:"APP" help:"App name; every app you can see when left out."`
	ForApp string `name:"for-app" hidden:"" help:"The app (what --app gives)."`
	JSON   bool   `help:"Print JSON."`
	App    string `kong:"-"`
}

func (c *previewsListCmd) Run(g *globals) error {
	c.App = c.Of
	if c.App == "" {
		c.App = c.ForApp
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	l, err := cl.ListPreviews(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(l)
	}
	if c.App != "" {
		printPreviewSettings(c.App, l)
	}
	if len(l.Previews) == 0 {
		fmt.Println("No previews.")
		return nil
	}
	w := table("APP", "BRANCH", "COMMIT", "URL", "PUSHED", "EXPIRES")
	for _, p := range l.Previews {
		row(w, p.App, p.Branch, engine.ShortCommit(p.Commit), p.URL, ago(p.PushedAt), until(p.ExpiresAt))
	}
	return w.Flush()
}

// printPreviewSettings says whether app has previews and how they behave.
func printPreviewSettings(app string, l *api.PreviewList) {
	s := l.Settings
	if s == nil {
		fmt.Printf("Previews of %s are off. Turn them on with `quayside previews enable %s`.\n", cellText(app), cellText(app))
	} else {
		auth := "no basic auth"
		if s.AuthUser != "" {
			auth = "basic auth as " + cellText(s.AuthUser)
		}
		fmt.Printf("Previews of %s: up to %d, destroyed %s after their last push, %s.\n", cellText(app), s.Max, ttlText(time.Duration(s.TTLSeconds)*time.Second), auth)
	}
	if len(l.ProductionOnly) > 0 {
		fmt.Printf("Production-only keys (never in previews): %s\n", cellText(strings.Join(l.ProductionOnly, ", ")))
	}
	if len(l.PreviewConfig) > 0 {
		fmt.Printf("Preview config keys: %s\n", cellText(strings.Join(l.PreviewConfig, ", ")))
	}
	fmt.Println()
}

type previewsEnableCmd struct {
	App          string `arg:"" help:"App name."`
	TTL          string `name:"ttl" default:"7d" help:"Destroy a preview this long after its last push: 7d, 12h, 30m, 90s."`
	Max          int    `default:"10" help:"How many previews the app may have at once."`
	Auth         bool   `help:"Require basic auth on every preview; the password is made for you unless --auth-password is given."`
	AuthUser     string `name:"auth-user" help:"Basic-auth user of previews (default preview)."`
	AuthPassword string `name:"auth-password" env:"QUAYSIDE_PREVIEW_PASSWORD" help:"Basic-auth password of previews (8 to 256 characters)."`
}

func (c *previewsEnableCmd) Run(g *globals) error {
	ttl, err := parseTTL(c.TTL)
	if err != nil {
		return err
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	out, err := cl.EnablePreviews(g.ctx, c.App, api.EnablePreviews{
		TTLSeconds: int64(ttl / time.Second), Max: c.Max, Auth: c.Auth, AuthUser: c.AuthUser, AuthPassword: c.AuthPassword,
	})
	if err != nil {
		return err
	}
	fmt.Printf("Previews of %s are on: push any branch but the deploy branch, for example `git push quayside feature/login`.\n", c.App)
	fmt.Printf("Up to %d previews; each is destroyed %s after its last push, or when its branch is deleted.\n", out.Settings.Max, ttlText(ttl))
	if out.Settings.AuthUser != "" {
		fmt.Printf("Previews require basic auth as %s", cellText(out.Settings.AuthUser))
		if out.AuthPassword != "" {
			fmt.Printf(" with the password %s (shown once)", out.AuthPassword)
		}
		fmt.Println(".")
	}
	return nil
}

type previewsDisableCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *previewsDisableCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.DisablePreviews(g.ctx, c.App); err != nil {
		return err
	}
	fmt.Printf("Previews of %s are off and its previews are destroyed.\n", c.App)
	return nil
}

type previewsDestroyCmd struct {
	App    string `arg:"" help:"App name."`
	Branch string `arg:"" help:"The branch whose preview goes."`
}

func (c *previewsDestroyCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.DestroyPreview(g.ctx, c.App, c.Branch); err != nil {
		return err
	}
	fmt.Printf("Destroyed the preview of %s: its containers, images, route, config and logs are gone.\n", cellText(c.Branch))
	return nil
}

// parseTTL reads a TTL such as 7d, 12h, 30m or 90s (any Go duration, plus
// whole days).
func parseTTL(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, engine.FieldError("ttl", "--ttl %q is not a duration: use days, hours, minutes or seconds, such as 7d, 12h, 30m or 90s", s)
}

// ttlText writes d as whole days, hours, minutes or seconds.
func ttlText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// until prints roughly how long until t, for expiries.
func until(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Until(t)
	switch {
	case d <= 0:
		return "now"
	case d >= 48*time.Hour:
		return fmt.Sprintf("in %dd", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("in %dh", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("in %dm", int(d.Minutes()))
	}
	return fmt.Sprintf("in %ds", int(d.Seconds()))
}
