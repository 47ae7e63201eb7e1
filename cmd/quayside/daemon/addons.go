package daemon

import (
	"context"
	"io"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
)

// addonDumper gives the engine the Docker runtime's add-on backups.
func addonDumper(rt *docker.Runtime) engine.AddonDumper { return dumper{rt} }

// dumper converts the engine's dump spec to the runtime's (same fields).
type dumper struct{ rt *docker.Runtime }

func (d dumper) DumpAddon(ctx context.Context, s engine.AddonDumpSpec, w io.Writer) error {
	return d.rt.DumpAddon(ctx, docker.AddonDumpSpec(s), w)
}

func (d dumper) RestoreAddon(ctx context.Context, s engine.AddonDumpSpec, rd io.Reader) error {
	return d.rt.RestoreAddon(ctx, docker.AddonDumpSpec(s), rd)
}
