package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/quayside/quayside/cmd/quayside/daemon"
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// client returns an API client: the server named by --server (with
// QUAYSIDE_TOKEN or the saved token), else the local daemon's socket,
// else the server `quayside login` saved.
func (g *globals) client() (*api.Client, error) {
	if g.remote != "" {
		return api.NewRemoteClient(g.remote, os.Getenv("QUAYSIDE_TOKEN"))
	}
	sock := daemon.ControlSocket(g.data)
	_, err := os.Stat(sock)
	if err == nil {
		return api.NewUnixClient(sock), nil
	}
	if creds, cerr := api.LoadCredentials(); cerr == nil {
		return api.NewRemoteClient(creds.URL, creds.Token)
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, engine.Errorf(engine.EFORBIDDEN, "cannot open %s: run this command as the user that runs `quayside server`", sock)
	}
	return nil, engine.Errorf(engine.EUNAVAILABLE, "no Quayside daemon at %s: start it with `quayside server`, point --data / QUAYSIDE_DATA at its data directory, or sign in to a remote server with `quayside login URL`", sock)
}

type loginCmd struct {
	URL   string `arg:"" help:"The server's control host, such as https://quayside.example.com."`
	Email string `help:"Your e-mail (asked when left out)."`
	Token string `help:"Use this API token instead of an e-mail and password (or set QUAYSIDE_TOKEN)." env:"QUAYSIDE_TOKEN"`
	Name  string `help:"Name of the token made for this machine." default:"cli"`
}

// Run signs in (or checks the given token) and keeps the token in the
// user's config directory, readable by the user only.
func (c *loginCmd) Run(g *globals) error {
	base, err := api.ServerURL(c.URL)
	if err != nil {
		return err
	}
	cl := &api.Client{BaseURL: base, HTTP: api.RemoteHTTP()}
	token := c.Token
	if token == "" {
		if token, err = c.signIn(g, cl); err != nil {
			return err
		}
	}
	cl.Token = token
	me, err := cl.Me(g.ctx)
	if err != nil {
		return err
	}
	p, err := api.SaveCredentials(&api.Credentials{URL: base, Token: token, User: me.User})
	if err != nil {
		return err
	}
	fmt.Printf("Signed in to %s as %s (%s). The token is kept in %s.\n", base, cellText(me.Name), me.Role, p)
	return nil
}

// signIn asks for the e-mail and password and exchanges them for a token.
func (c *loginCmd) signIn(g *globals, cl *api.Client) (string, error) {
	email := c.Email
	if email == "" {
		if !term.IsTerminal(int(os.Stdin.Fd())) {
			return "", fieldErr("email", "give --email (and the password on standard input), or run quayside login on a terminal")
		}
		fmt.Fprint(os.Stderr, "E-mail: ")
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		email = strings.TrimSpace(line)
	}
	pw, err := readPassword("Password: ")
	if err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	res, err := cl.Login(g.ctx, api.Login{Email: email, Password: pw, TokenName: strings.TrimSpace(c.Name + " on " + host)})
	if err != nil {
		return "", err
	}
	return res.Secret, nil
}

type logoutCmd struct{}

// Run forgets the saved token. It does not revoke it: `quayside tokens
// revoke` does.
func (c *logoutCmd) Run(g *globals) error {
	if err := api.RemoveCredentials(); err != nil {
		return err
	}
	fmt.Println("Signed out: the token is no longer kept on this machine (revoke it with `quayside tokens revoke` if it may have leaked).")
	return nil
}
