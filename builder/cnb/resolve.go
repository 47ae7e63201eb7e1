package cnb

import (
	"context"
	"fmt"

	"github.com/quayside/quayside/engine"
)

// The builder images Quayside knows by name.
const (
	// PublicBuilder is the default builder when it can be had: Heroku's,
	// which needs the internet for most of its buildpacks.
	PublicBuilder = "heroku/builder:24"
	// OfflineBuilder is the builder `make builder` makes from the Quayside
	// source tree, whose buildpacks need no network.
	OfflineBuilder = "quayside/builder:offline"
)

// imageStore is what resolution needs of the daemon: whether an image is
// there, and pulling one. Errors that mean the daemon is down are
// *engine.Error with EUNAVAILABLE.
type imageStore interface {
	Exists(ctx context.Context, ref string) (bool, error)
	Pull(ctx context.Context, ref string) error
}

// choice is a resolved builder image and why it was chosen.
type choice struct {
	image string
	how   string
}

// Resolve returns the server's default builder image and, in words, how it
// was chosen: the configured DefaultBuilder when set (pulled when missing);
// else PublicBuilder when it is in the daemon or can be pulled within
// PullTimeout; else OfflineBuilder when it is in the daemon. When none is
// available it returns *engine.Error EUNAVAILABLE saying why and how to get
// one. A success is remembered (and logged) until its image disappears;
// failures are not, so a builder made later is found.
func (b *Builder) Resolve(ctx context.Context) (image string, how string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.chosen; c != nil {
		ok, err := b.images.Exists(ctx, c.image)
		if err != nil {
			return "", "", err
		}
		if ok {
			return c.image, c.how, nil
		}
		b.chosen = nil
	}
	c, err := b.resolve(ctx)
	if err != nil {
		return "", "", err
	}
	b.chosen = &c
	b.log.Info("using "+c.how, "builder", c.image)
	return c.image, c.how, nil
}

// resolve picks the default builder, without the cache.
func (b *Builder) resolve(ctx context.Context) (choice, error) {
	if img := b.cfg.DefaultBuilder; img != "" {
		how, err := b.obtain(ctx, img, "the configured builder")
		if err != nil {
			return choice{}, err
		}
		return choice{image: img, how: how}, nil
	}
	ok, err := b.images.Exists(ctx, PublicBuilder)
	if err != nil {
		return choice{}, err
	}
	if ok {
		return choice{image: PublicBuilder, how: "the public builder " + PublicBuilder}, nil
	}
	why, err := b.pull(ctx, PublicBuilder)
	if err != nil {
		return choice{}, err
	}
	if why == "" {
		return choice{image: PublicBuilder, how: "the public builder " + PublicBuilder + ", just pulled"}, nil
	}
	return b.offline(ctx, why)
}

// offline picks the offline builder once the public one could not be
// pulled for the reason why.
func (b *Builder) offline(ctx context.Context, why string) (choice, error) {
	ok, err := b.images.Exists(ctx, OfflineBuilder)
	if err != nil {
		return choice{}, err
	}
	if !ok {
		if err := b.assemblyError(OfflineBuilder); err != nil {
			return choice{}, err
		}
		return choice{}, engine.Errorf(engine.EUNAVAILABLE,
			"No buildpacks builder is available: %s could not be pulled (%s) and the offline builder %s is not in the Docker daemon. "+
				"Make the offline builder with `make builder` in the Quayside source tree, "+
				"or start the server with --builder IMAGE naming a builder image the Docker daemon has.",
			PublicBuilder, why, OfflineBuilder)
	}
	how := fmt.Sprintf("the offline builder %s because %s cannot be pulled (%s)", OfflineBuilder, PublicBuilder, why)
	return choice{image: OfflineBuilder, how: how}, nil
}

// builderFor returns the builder image of one build: the app's own when
// set, else the server's default.
func (b *Builder) builderFor(ctx context.Context, appBuilder string) (image, how string, err error) {
	if appBuilder == "" {
		return b.Resolve(ctx)
	}
	how, err = b.obtain(ctx, appBuilder, "the app's builder")
	return appBuilder, how, err
}

// obtain makes sure a named builder image is in the daemon, pulling it
// when missing, except the images made here (madeHere), which are trusted
// by name and so never pulled. what says whose it is, for messages.
func (b *Builder) obtain(ctx context.Context, img, what string) (how string, err error) {
	ok, err := b.images.Exists(ctx, img)
	if err != nil {
		return "", err
	}
	if ok {
		return what + " " + img, nil
	}
	if madeHere(img) {
		if img == OfflineBuilder || img == "docker.io/"+OfflineBuilder {
			if err := b.assemblyError(OfflineBuilder); err != nil {
				return "", err
			}
		}
		return "", engine.Errorf(engine.EUNAVAILABLE,
			"The builder image %s (%s) is not in the Docker daemon. It is made on this server from Quayside's source tree by `make builder` "+
				"and never pulled (a registry could serve anything under that name); run `make builder`, or choose another builder.",
			img, what)
	}
	why, err := b.pull(ctx, img)
	if err != nil {
		return "", err
	}
	if why != "" {
		return "", engine.Errorf(engine.EUNAVAILABLE,
			"The builder image %s (%s) is not in the Docker daemon and could not be pulled (%s). "+
				"Pull or load it into the Docker daemon, make the offline builder %s with `make builder` in the Quayside source tree, "+
				"or choose a builder image the daemon has (--builder IMAGE).",
			img, what, why, OfflineBuilder)
	}
	return what + " " + img + ", just pulled", nil
}

// pull pulls img within PullTimeout. It returns why the pull failed, in a
// few words, or "" when it worked; err only when the daemon is down.
func (b *Builder) pull(ctx context.Context, img string) (why string, err error) {
	pctx, cancel := context.WithTimeout(ctx, b.cfg.PullTimeout)
	defer cancel()
	perr := b.images.Pull(pctx, img)
	if perr == nil {
		return "", nil
	}
	if engine.ErrorCode(perr) == engine.EUNAVAILABLE {
		return "", perr
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("pull %s: %w", img, ctx.Err())
	}
	b.log.Info("builder image pull failed", "image", img, "err", perr)
	return pullFailure(perr, pctx.Err() != nil, b.cfg.PullTimeout), nil
}

// madeHere reports whether img names an image `make builder` makes from
// Quayside's own source: the offline builder and the lifecycle image.
// Their names are trusted, so they are never pulled from a registry, where
// anyone could publish an image under them.
func madeHere(img string) bool {
	return img == OfflineBuilder || img == LifecycleImage || img == "docker.io/"+OfflineBuilder || img == "docker.io/"+LifecycleImage
}
