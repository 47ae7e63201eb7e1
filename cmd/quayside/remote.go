package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// credentials is what `quayside login` keeps: the server and a token.
type credentials struct {
	URL   string `json:"url"`
	Token string `json:"token"`
	User  string `json:"user"`
}

// credentialsPath is the CLI's token file in the user's config directory.
func credentialsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w", err)
	}
	return filepath.Join(dir, "quayside", "credentials.json"), nil
}

func loadCredentials() (*credentials, error) {
	p, err := credentialsPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, engine.Errorf(engine.EINVALID, "%s is not readable (%v): run `quayside login URL` again", p, err)
	}
	return &c, nil
}

// saveCredentials writes c readable by the user only.
func saveCredentials(c *credentials) (string, error) {
	p, err := credentialsPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	return p, os.Rename(tmp, p)
}

// client returns an API client: the server named by --server (with
// QUAYSIDE_TOKEN or the saved token), else the local daemon's socket,
// else the server `quayside login` saved.
func (g *globals) client() (*api.Client, error) {
	if g.remote != "" {
		return remoteClient(g.remote, os.Getenv("QUAYSIDE_TOKEN"))
	}
	sock := controlSocket(g.data)
	_, err := os.Stat(sock)
	if err == nil {
		return api.NewUnixClient(sock), nil
	}
	if creds, cerr := loadCredentials(); cerr == nil {
		return remoteClient(creds.URL, creds.Token)
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, engine.Errorf(engine.EFORBIDDEN, "cannot open %s: run this command as the user that runs `quayside server`", sock)
	}
	return nil, engine.Errorf(engine.EUNAVAILABLE, "no Quayside daemon at %s: start it with `quayside server`, point --data / QUAYSIDE_DATA at its data directory, or sign in to a remote server with `quayside login URL`", sock)
}

// remoteClient talks to the server at base with token.
func remoteClient(base, token string) (*api.Client, error) {
	base, err := serverURL(base)
	if err != nil {
		return nil, err
	}
	if token == "" {
		if creds, err := loadCredentials(); err == nil && creds.URL == base {
			token = creds.Token
		}
	}
	return &api.Client{BaseURL: base, HTTP: remoteHTTP(), Token: token}, nil
}

// remoteHTTP is the CLI's HTTP client. Hosts under .localhost are the
// loopback interface (RFC 6761), as browsers treat them, so the CLI
// reaches a local server at http://quayside.localhost:8080 too.
func remoteHTTP() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(strings.ToLower(host), ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return dial(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

// serverURL checks a server URL and returns its root without a slash.
func serverURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fieldErr("server", "%q is not a server URL: give it as https://quayside.example.com", raw)
	}
	return u.Scheme + "://" + u.Host, nil
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
	base, err := serverURL(c.URL)
	if err != nil {
		return err
	}
	cl := &api.Client{BaseURL: base, HTTP: remoteHTTP()}
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
	p, err := saveCredentials(&credentials{URL: base, Token: token, User: me.User})
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
	p, err := credentialsPath()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	fmt.Println("Signed out: the token is no longer kept on this machine (revoke it with `quayside tokens revoke` if it may have leaked).")
	return nil
}
