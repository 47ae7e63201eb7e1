package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/quayside/quayside/ui/api"
)

type tokensCmd struct {
	List   tokensListCmd   `cmd:"" default:"withargs" help:"List your API tokens (admins: --user)."`
	Create tokensCreateCmd `cmd:"" help:"Create an API token; its secret is shown once."`
	Revoke tokensRevokeCmd `cmd:"" help:"Revoke an API token: it stops working at once."`
}

type tokensListCmd struct {
	User string `help:"Another user's tokens (admins)."`
	JSON bool   `help:"Print JSON."`
}

func (c *tokensListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	toks, err := cl.ListTokens(g.ctx, c.User)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(toks)
	}
	if len(toks) == 0 {
		fmt.Println("No API tokens. Create one with: quayside tokens create --name ci")
		return nil
	}
	w := table("ID", "NAME", "USER", "PREFIX", "STATE", "LAST USED", "FROM", "EXPIRES", "CREATED")
	for _, t := range toks {
		row(w, t.ID, t.Name, t.User, t.Prefix+"...", tokenState(t), optAgo(t.LastUsedAt), orDash(t.LastUsedFrom), optDate(t.ExpiresAt), ago(t.CreatedAt))
	}
	return w.Flush()
}

func tokenState(t api.Token) string {
	switch {
	case t.Revoked:
		return "revoked"
	case t.ExpiresAt != nil && time.Now().After(*t.ExpiresAt):
		return "expired"
	}
	return "active"
}

func optAgo(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return ago(*t)
}

func optDate(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format(time.DateOnly)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type tokensCreateCmd struct {
	Name    string        `help:"What the token is for, such as ci or laptop." default:"token"`
	Expires time.Duration `help:"Lifetime, such as 720h (30 days); 0 never expires." default:"0"`
	User    string        `help:"Make the token for another user (admins)."`
}

func (c *tokensCreateCmd) Run(g *globals) error {
	if c.Expires < 0 {
		return fieldErr("expires", "--expires must not be negative (0: never expires)")
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	t, err := cl.CreateToken(g.ctx, api.CreateToken{Name: c.Name, ExpiresInSeconds: int64(c.Expires / time.Second), User: c.User})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Created token %d %q for %s (expires: %s). Copy it now: it is not shown again.\n",
		t.Token.ID, t.Token.Name, t.Token.User, optDate(t.Token.ExpiresAt))
	fmt.Println(t.Secret)
	return nil
}

type tokensRevokeCmd struct {
	ID string `arg:"" help:"The token's ID, as quayside tokens lists it."`
}

func (c *tokensRevokeCmd) Run(g *globals) error {
	id, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil || id <= 0 {
		return fieldErr("id", "%q is not a token ID: `quayside tokens` lists them", c.ID)
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RevokeToken(g.ctx, id); err != nil {
		return err
	}
	fmt.Printf("Revoked token %d.\n", id)
	return nil
}
