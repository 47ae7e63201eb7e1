package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type authCmd struct {
	Set   authSetCmd   `cmd:"" help:"Require HTTP basic auth for an app; asks for the password (or reads it from standard input)."`
	Unset authUnsetCmd `cmd:"" help:"Stop requiring basic auth for an app."`
}

type authSetCmd struct {
	App  string `arg:"" help:"App name."`
	User string `arg:"" help:"User name."`
}

func (c *authSetCmd) Run(g *globals) error {
	pw, err := readPassword(fmt.Sprintf("Password for %s on %s: ", c.User, c.App))
	if err != nil {
		return err
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	if _, err := cl.SetBasicAuth(g.ctx, c.App, c.User, pw); err != nil {
		return err
	}
	fmt.Printf("%s now asks for a user name and password (user %s).\n", c.App, c.User)
	return nil
}

// readPassword asks on the terminal without echo, or reads one line of
// standard input when it is not a terminal.
func readPassword(prompt string) (string, error) {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(os.Stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(os.Stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", engine.FieldError("password", "no password given: type it when asked, or pipe it on standard input")
	}
	return pw, nil
}

type authUnsetCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *authUnsetCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if _, err := cl.RemoveBasicAuth(g.ctx, c.App); err != nil {
		return err
	}
	fmt.Printf("%s no longer asks for a password.\n", c.App)
	return nil
}

type maintenanceCmd struct {
	On  maintenanceOnCmd  `cmd:"" help:"Answer every request of an app with 503 and the maintenance page."`
	Off maintenanceOffCmd `cmd:"" help:"Serve the app again."`
}

type maintenanceOnCmd struct {
	App  string `arg:"" help:"App name."`
	Page string `type:"existingfile" help:"An HTML file to show instead of Quayside's maintenance page (kept until replaced; --page '' is not needed to keep it)."`
}

func (c *maintenanceOnCmd) Run(g *globals) error {
	ch := api.EdgeChange{Maintenance: ptr(true)}
	if c.Page != "" {
		b, err := os.ReadFile(c.Page)
		if err != nil {
			return engine.FieldError("page", "cannot read %s: %v", c.Page, err)
		}
		ch.MaintenancePage = ptr(string(b))
	}
	return changeEdge(g, c.App, ch, "%s is in maintenance: every request gets 503 and the maintenance page.\n")
}

type maintenanceOffCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *maintenanceOffCmd) Run(g *globals) error {
	return changeEdge(g, c.App, api.EdgeChange{Maintenance: ptr(false)}, "%s serves requests again.\n")
}

type httpsCmd struct {
	App      string `arg:"" help:"App name."`
	Redirect string `enum:",on,off" default:"" help:"Redirect plain HTTP to HTTPS (308) for hosts with a certificate: on or off."`
	HSTS     string `name:"hsts" enum:",on,off" default:"" help:"Send Strict-Transport-Security on HTTPS answers: on or off."`
}

func (c *httpsCmd) Run(g *globals) error {
	ch := api.EdgeChange{HTTPSRedirect: onOff(c.Redirect), HSTS: onOff(c.HSTS)}
	return changeEdge(g, c.App, ch, "")
}

func changeEdge(g *globals, app string, ch api.EdgeChange, done string) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	var a *api.App
	if ch == (api.EdgeChange{}) {
		a, err = cl.App(g.ctx, app)
	} else {
		a, err = cl.ChangeEdge(g.ctx, app, ch)
	}
	if err != nil {
		return err
	}
	if done != "" {
		fmt.Printf(done, a.Name)
		return nil
	}
	fmt.Printf("%s: HTTPS redirect %s, HSTS %s, maintenance %s, basic auth %s\n", a.Name,
		word(a.Edge.HTTPSRedirect), word(a.Edge.HSTS), word(a.Edge.Maintenance), word(a.Edge.BasicAuthUser != ""))
	return nil
}

func onOff(s string) *bool {
	switch s {
	case "on":
		return ptr(true)
	case "off":
		return ptr(false)
	}
	return nil
}

func word(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func ptr[T any](v T) *T { return &v }

type caCmd struct {
	Export caExportCmd `cmd:"" help:"Print the local CA's root certificate (local mode), to trust it in a browser or with curl --cacert."`
}

type caExportCmd struct{}

func (caExportCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	pem, err := cl.CARoot(g.ctx)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(pem)
	return err
}
