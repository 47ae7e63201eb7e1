package engine

import (
	"context"
	"slices"
)

// A promotion makes two apps run one image: the image keeps the labels of
// the app that built it, and releases of the other app name it too. The
// rules here keep such an image while any app's retention keeps a release
// that uses it, whichever app built it, and forget it everywhere once it
// is removed.

// AppImageKeeper is a Runtime that can remove an app (RemoveApp) and leave
// some of its images in place, because other apps' releases still use them
// after a promotion. The engine uses it when the Runtime implements it.
type AppImageKeeper interface {
	// RemoveAppKeeping does what RemoveApp does, except that it leaves the
	// images whose ID or tag is in keep.
	RemoveAppKeeping(ctx context.Context, app string, keep []string) error
}

// usedElsewhere reports whether a release of an app other than app, one
// that its own app's retention keeps, uses an image with one of refs (an
// image's ID and tags). On error it says true: keeping is the safe side.
func (e *Engine) usedElsewhere(ctx context.Context, app string, refs []string) (bool, error) {
	rels, err := e.cfg.Store.ReleasesUsingImage(ctx, refs)
	if err != nil {
		return true, err
	}
	for _, r := range rels {
		if r.App == app {
			continue
		}
		kept, err := e.retained(ctx, r)
		if err != nil || kept {
			return true, err
		}
	}
	return false, nil
}

// retained reports whether r's app keeps r's image: r is active or among
// the app's newest KeepReleases releases (those of pruneImages).
func (e *Engine) retained(ctx context.Context, r *Release) (bool, error) {
	if r.Status == ReleaseActive {
		return true, nil
	}
	if e.cfg.KeepReleases <= 0 {
		return false, nil
	}
	newest, err := e.cfg.Store.ListReleases(ctx, r.App, e.cfg.KeepReleases)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(newest, func(n *Release) bool { return n.Number == r.Number }), nil
}

// forgetImageEverywhere clears the image of every release, of any app,
// that used a removed image with one of refs, so a rollback to one says the
// image is gone instead of failing to start.
func (e *Engine) forgetImageEverywhere(ctx context.Context, refs []string) error {
	rels, err := e.cfg.Store.ReleasesUsingImage(ctx, refs)
	if err != nil {
		return err
	}
	for _, r := range rels {
		r.Image = ""
		if err := e.cfg.Store.UpdateRelease(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// imagesSharedAway returns the images of app's releases that other apps'
// retention keeps: destroying app must leave them.
func (e *Engine) imagesSharedAway(ctx context.Context, app string) ([]string, error) {
	rels, err := e.cfg.Store.ListReleases(ctx, app, 0)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, r := range rels {
		if r.Image == "" || slices.Contains(keep, r.Image) {
			continue
		}
		shared, err := e.usedElsewhere(ctx, app, []string{r.Image})
		if err != nil {
			return nil, err
		}
		if shared {
			keep = append(keep, r.Image)
		}
	}
	return keep, nil
}

// removeAppRuntime removes app's network and images from the runtime,
// leaving the images other apps still use.
func (e *Engine) removeAppRuntime(ctx context.Context, app string) error {
	keep, err := e.imagesSharedAway(ctx, app)
	if err != nil {
		return err
	}
	if k, ok := e.cfg.Runtime.(AppImageKeeper); ok && len(keep) > 0 {
		e.log.Info("keeping images other apps use", "app", app, "images", keep)
		return k.RemoveAppKeeping(ctx, app, keep)
	}
	return e.cfg.Runtime.RemoveApp(ctx, app)
}
