package main

import "fmt"

type membersCmd struct {
	List   membersListCmd   `cmd:"" default:"withargs" help:"List the users who may see an app (admins see every app)."`
	Add    membersAddCmd    `cmd:"" help:"Let a user see an app; their role says what they may do with it."`
	Remove membersRemoveCmd `cmd:"" help:"Stop a user seeing an app."`
}

type membersListCmd struct {
	App string `arg:"" help:"App name."`
}

func (c *membersListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	m, err := cl.Members(g.ctx, c.App)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		fmt.Printf("Only admins see %s. Add someone with: quayside members add %s EMAIL\n", c.App, c.App)
	}
	for _, u := range m {
		fmt.Println(cellText(u))
	}
	return nil
}

type membersAddCmd struct {
	App   string `arg:"" help:"App name."`
	Email string `arg:"" help:"The user's e-mail."`
}

func (c *membersAddCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.AddMember(g.ctx, c.App, c.Email); err != nil {
		return err
	}
	fmt.Printf("%s may see %s now.\n", c.Email, c.App)
	return nil
}

type membersRemoveCmd struct {
	App   string `arg:"" help:"App name."`
	Email string `arg:"" help:"The user's e-mail."`
}

func (c *membersRemoveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RemoveMember(g.ctx, c.App, c.Email); err != nil {
		return err
	}
	fmt.Printf("%s no longer sees %s.\n", c.Email, c.App)
	return nil
}
