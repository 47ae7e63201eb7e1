package main

import (
	"fmt"
	"io"

	"github.com/quayside/quayside/engine"
)

// freshAddonBackups asks the running daemon for a backup of every add-on,
// so that `quayside backup` holds their data as of now. A daemon that does
// not answer is fine: the newest backups on disk go into the archive.
func freshAddonBackups(g *globals, msg io.Writer) {
	cl, err := g.client()
	if err != nil {
		return
	}
	apps, err := cl.ListApps(g.ctx)
	if err != nil {
		fmt.Fprintf(msg, "The daemon did not answer (%s): the add-ons' newest backups on disk go into the archive.\n", safe(engine.ErrorMessage(err)))
		return
	}
	for _, app := range apps {
		list, err := cl.Addons(g.ctx, app.Name)
		if err != nil {
			continue
		}
		for _, a := range list {
			if a.App != app.Name {
				continue
			}
			if b, err := cl.BackupAddon(g.ctx, a.App, a.Name); err != nil {
				fmt.Fprintf(msg, "Could not back up add-on %s of %s now (%s): its newest backup on disk goes into the archive.\n", a.Name, a.App, safe(engine.ErrorMessage(err)))
			} else {
				fmt.Fprintf(msg, "Backed up add-on %s of %s: %s\n", a.Name, a.App, b.Name)
			}
		}
	}
}
