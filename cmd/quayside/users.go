package main

import (
	"fmt"

	"github.com/quayside/quayside/ui/api"
)

type usersCmd struct {
	List    usersListCmd    `cmd:"" default:"withargs" help:"List the accounts."`
	Add     usersAddCmd     `cmd:"" help:"Add an account; prints a one-time link to set its password."`
	Role    usersRoleCmd    `cmd:"" help:"Change an account's role."`
	Disable usersDisableCmd `cmd:"" help:"Stop an account from signing in, pushing and using its tokens."`
	Enable  usersEnableCmd  `cmd:"" help:"Let a disabled account in again."`
	Link    usersLinkCmd    `cmd:"" help:"Make a new one-time link to set an account's password."`
	Remove  usersRemoveCmd  `cmd:"" help:"Remove an account, its sessions, tokens and keys."`
}

type usersListCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *usersListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	users, err := cl.ListUsers(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(users)
	}
	if len(users) == 0 {
		fmt.Println("No accounts yet. Add the first admin with: quayside users add you@example.com --role admin")
		return nil
	}
	w := table("EMAIL", "ROLE", "STATE", "LAST SIGN-IN", "CREATED")
	for _, u := range users {
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case !u.HasPassword:
			state = "invited"
		}
		last := "-"
		if u.LastSignIn != nil {
			last = ago(*u.LastSignIn)
		}
		row(w, u.Email, u.Role, state, last, ago(u.CreatedAt))
	}
	return w.Flush()
}

type usersAddCmd struct {
	Email string `arg:"" help:"The person's e-mail."`
	Role  string `default:"developer" enum:"admin,developer,viewer" help:"admin (everything), developer (deploy, config, rollback, scale, domains, logs) or viewer (read only)."`
}

func (c *usersAddCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	link, err := cl.AddUser(g.ctx, c.Email, c.Role)
	if err != nil {
		return err
	}
	printSetupLink(link, "Added "+link.User+" ("+c.Role+").")
	return nil
}

func printSetupLink(link *api.SetupLink, what string) {
	fmt.Println(what)
	fmt.Println("Send them this one-time link to set their password (it expires; `quayside users link` makes a new one):")
	fmt.Println("  " + link.URL)
}

type usersRoleCmd struct {
	Email string `arg:"" help:"The account's e-mail."`
	Role  string `arg:"" enum:"admin,developer,viewer" help:"admin, developer or viewer."`
}

func (c *usersRoleCmd) Run(g *globals) error {
	return changeUser(g, c.Email, api.ChangeUser{Role: &c.Role})
}

type usersDisableCmd struct {
	Email string `arg:"" help:"The account's e-mail."`
}

func (c *usersDisableCmd) Run(g *globals) error {
	yes := true
	return changeUser(g, c.Email, api.ChangeUser{Disabled: &yes})
}

type usersEnableCmd struct {
	Email string `arg:"" help:"The account's e-mail."`
}

func (c *usersEnableCmd) Run(g *globals) error {
	no := false
	return changeUser(g, c.Email, api.ChangeUser{Disabled: &no})
}

func changeUser(g *globals, email string, ch api.ChangeUser) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	u, err := cl.ChangeUser(g.ctx, email, ch)
	if err != nil {
		return err
	}
	state := "active"
	if u.Disabled {
		state = "disabled"
	}
	fmt.Printf("%s: %s, %s\n", u.Email, u.Role, state)
	return nil
}

type usersLinkCmd struct {
	Email string `arg:"" help:"The account's e-mail."`
}

func (c *usersLinkCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	link, err := cl.NewSetupLink(g.ctx, c.Email)
	if err != nil {
		return err
	}
	printSetupLink(link, "New setup link for "+link.User+"; earlier links no longer work.")
	return nil
}

type usersRemoveCmd struct {
	Email   string `arg:"" help:"The account's e-mail."`
	Confirm string `help:"Repeat the e-mail to confirm." required:""`
}

func (c *usersRemoveCmd) Run(g *globals) error {
	if c.Confirm != c.Email {
		return fieldErr("confirm", "--confirm must repeat the e-mail (%s): removing an account cannot be undone", c.Email)
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RemoveUser(g.ctx, c.Email); err != nil {
		return err
	}
	fmt.Printf("Removed %s.\n", c.Email)
	return nil
}
