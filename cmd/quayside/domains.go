package main

import (
	"fmt"
	"time"
)

type domainsCmd struct {
	List   domainsListCmd   `cmd:"" default:"withargs" help:"List an app's hosts with the state of their certificates."`
	Add    domainsAddCmd    `cmd:"" help:"Route a custom domain to an app and obtain its certificate."`
	Remove domainsRemoveCmd `cmd:"" help:"Stop routing a custom domain to an app."`
}

type domainsListCmd struct {
	App  string `arg:"" help:"App name."`
	JSON bool   `help:"Print JSON."`
}

func (c *domainsListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	ds, err := cl.Domains(g.ctx, c.App)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(ds)
	}
	w := table("DOMAIN", "CERTIFICATE", "ISSUER", "EXPIRES", "RENEWS")
	for _, d := range ds {
		row(w, d.Host, d.Cert.State, dash(d.Cert.Issuer), day(d.Cert.NotAfter), day(d.Cert.RenewAt))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, d := range ds {
		if d.Cert.LastError != "" {
			fmt.Printf("\n%s: %s (%s)\n", cellText(d.Host), safe(d.Cert.LastError), ago(deref(d.Cert.LastErrorAt)))
		}
	}
	return nil
}

type domainsAddCmd struct {
	App    string `arg:"" help:"App name."`
	Domain string `arg:"" help:"Host name, such as shop.example.com; its DNS must point at this server."`
}

func (c *domainsAddCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	d, err := cl.AddDomain(g.ctx, c.App, c.Domain)
	if err != nil {
		return err
	}
	fmt.Printf("%s now routes to %s. Its certificate is being obtained: `quayside domains %s` shows its state.\n", d.Host, c.App, c.App)
	return nil
}

type domainsRemoveCmd struct {
	App    string `arg:"" help:"App name."`
	Domain string `arg:"" help:"Host name."`
}

func (c *domainsRemoveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RemoveDomain(g.ctx, c.App, c.Domain); err != nil {
		return err
	}
	fmt.Printf("%s no longer routes to %s.\n", c.Domain, c.App)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func day(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02")
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
