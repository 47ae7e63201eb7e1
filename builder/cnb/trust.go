package cnb

import (
	"context"
	"slices"
	"strings"

	"github.com/quayside/quayside/engine"
)

// LifecycleImage is the default Config.LifecycleImage: the lifecycle
// `make builder` builds from source (the version the offline builder has),
// as an image.
const LifecycleImage = "quayside/lifecycle:0.20.11"

// ephemeralLifecyclePrefix starts the name of the image pack derives from
// the lifecycle image for one untrusted build; only containers of such
// images get the Docker daemon in an untrusted build.
const ephemeralLifecyclePrefix = "pack.local/lifecycle/"

// TrustedBuilders returns the builder images that run trusted on a server
// whose configured default builder is defaultBuilder ("" when it picks one
// itself): that default (or, when it picks, PublicBuilder, which it
// prefers) and OfflineBuilder, which `make builder` makes from Quayside's
// own source. Every other builder runs untrusted.
func TrustedBuilders(defaultBuilder string) []string {
	if defaultBuilder == "" {
		defaultBuilder = PublicBuilder
	}
	if defaultBuilder == OfflineBuilder {
		return []string{OfflineBuilder}
	}
	return []string{defaultBuilder, OfflineBuilder}
}

// trust says how one build runs pack's lifecycle.
type trust struct {
	// trusted builds run the builder's own lifecycle in one creator
	// container that has the Docker daemon.
	trusted bool
	// lifecycle is the lifecycle image of an untrusted build: its analyzer,
	// restorer and exporter are the only containers that get the Docker
	// daemon; the builder image runs only the detector and the builder.
	lifecycle string
}

// trustFor decides how builder runs. Builders other than TrustedBuilders
// run untrusted, and so do those when the daemon's socket is open to group
// root or everyone (see socketOpen). Untrusted builds need the lifecycle
// image in the daemon; without it the build is refused with EUNAVAILABLE
// saying how to make it: it never falls back to trusting the builder.
func (b *Builder) trustFor(ctx context.Context, builder string, out *output) (trust, error) {
	own := slices.Contains(TrustedBuilders(b.cfg.DefaultBuilder), builder)
	switch {
	case own && !socketOpen(b.socket):
		return trust{trusted: true}, nil
	case own:
		b.log.Warn("the Docker socket is open to group root or to everyone: builds run untrusted so that buildpacks never get it", "socket", b.socket)
	}
	if strings.HasPrefix(builder, "pack.local/") {
		return trust{}, engine.Errorf(engine.EINVALID,
			"The builder image %s has a name pack keeps for its own images; tag it under another name and set that.", builder)
	}
	why := "The builder " + builder + " is not one of this server's own builders (" + strings.Join(TrustedBuilders(b.cfg.DefaultBuilder), ", ") + ")"
	if own {
		why = "The Docker daemon's socket " + b.socket + " is open to group root or to everyone, which a trusted build would hand to buildpacks"
	}
	lc := b.cfg.LifecycleImage
	ok, err := b.images.Exists(ctx, lc)
	if err != nil {
		return trust{}, err
	}
	if !ok {
		instead := ""
		if !own {
			instead = " Or build the app with the server's default builder (quayside builder unset APP)."
		}
		return trust{}, engine.Errorf(engine.EUNAVAILABLE,
			"%s, so the build runs untrusted: its buildpacks get no access to the Docker daemon "+
				"and the build steps that need the daemon run from the lifecycle image %s, which the Docker daemon does not have. "+
				"Make it with `make builder` in the Quayside source tree (it builds %s and %s from source), or load it with docker load.%s",
			why, lc, OfflineBuilder, LifecycleImage, instead)
	}
	out.Line("       " + why + ": it runs untrusted, without access to the Docker daemon (lifecycle from " + lc + ")")
	return trust{lifecycle: lc}, nil
}
