package main

import (
	"fmt"
	"io"
	"os"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

type keysCmd struct {
	Add    keysAddCmd    `cmd:"" help:"Allow a public key to push: quayside keys add NAME < key.pub"`
	List   keysListCmd   `cmd:"" default:"1" help:"List the keys allowed to push."`
	Remove keysRemoveCmd `cmd:"" help:"Stop a key from pushing."`
}

type keysAddCmd struct {
	Name string `arg:"" help:"A name for the key, such as the person who owns it."`
	User string `help:"The user the key belongs to and pushes as (admins only). Default: you; on the server itself, the server's owner."`
}

// maxKeyBytes bounds what keys add reads from standard input.
const maxKeyBytes = 64 << 10

func (c *keysAddCmd) Run(g *globals) error {
	data, err := io.ReadAll(io.LimitReader(os.Stdin, maxKeyBytes+1))
	if err != nil {
		return fmt.Errorf("read key from standard input: %w", err)
	}
	if len(data) > maxKeyBytes {
		return engine.FieldError("public_key", "standard input is larger than any public key: pipe one .pub file")
	}
	cl, err := g.client()
	if err != nil {
		return err
	}
	k, err := cl.AddKeyFor(g.ctx, c.Name, string(data), c.User)
	if err != nil {
		return err
	}
	fmt.Printf("Added key %s (%s)\n", k.Name, k.Fingerprint)
	return nil
}

type keysListCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *keysListCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	keys, err := cl.ListKeys(g.ctx)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(keys)
	}
	if len(keys) == 0 {
		fmt.Println("No keys yet: add one with `quayside keys add NAME < ~/.ssh/id_ed25519.pub`.")
		return nil
	}
	w := table("NAME", "OWNER", "FINGERPRINT", "ADDED")
	legacy := 0
	for _, k := range keys {
		row(w, k.Name, keyOwner(k), k.Fingerprint, ago(k.CreatedAt))
		if k.Owner == engine.KeyOwnerLegacy {
			legacy++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if legacy > 0 {
		fmt.Println("\n* Stored without an owner by an older version of Quayside: acts as the server owner, with admin\n" +
			"  rights. If it is not the server owner's key, remove it (`quayside keys remove NAME`) and\n" +
			"  add it again for its user (`quayside keys add NAME --user EMAIL`).")
	}
	return nil
}

// keyOwner is whom k pushes as, for the list.
func keyOwner(k api.Key) string {
	switch k.Owner {
	case engine.KeyOwnerServer:
		return "server owner"
	case engine.KeyOwnerLegacy:
		return "server owner *"
	}
	return k.User
}

type keysRemoveCmd struct {
	Name string `arg:"" help:"Key name."`
}

func (c *keysRemoveCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	if err := cl.RemoveKey(g.ctx, c.Name); err != nil {
		return err
	}
	fmt.Printf("Removed key %s\n", c.Name)
	return nil
}
