package engine

import (
	"context"
	"fmt"
)

// collectImages removes, app by app, the images retention does not keep.
func (e *Engine) collectImages(ctx context.Context, j Janitor, rep *GCReport) error {
	imgs, err := j.Images(ctx)
	if err != nil {
		return err
	}
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	byApp := map[string][]StoredImage{}
	var names []string
	for _, img := range imgs {
		byApp[img.App] = append(byApp[img.App], img)
		names = append(names, img.App)
	}
	for _, name := range appNames(apps, names...) {
		if len(byApp[name]) == 0 {
			continue
		}
		err := e.lockedApp(ctx, name, func(ctx context.Context, app *App) error {
			return e.collectAppImages(ctx, j, app, name, byApp[name], rep)
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rep.fail(err)
	}
	return nil
}

// collectAppImages removes the garbage among imgs, the images of one app
// (nil when the store no longer knows it), and forgets the removed images
// in the releases that named them.
func (e *Engine) collectAppImages(ctx context.Context, j Janitor, app *App, name string, imgs []StoredImage, rep *GCReport) error {
	var rels []*Release
	if app != nil {
		var err error
		if rels, err = e.cfg.Store.ListReleases(ctx, name, 0); err != nil {
			return err
		}
	}
	garbage, err := e.notUsedElsewhere(ctx, name, imageGarbage(imgs, rels, e.cfg.KeepReleases, app == nil))
	if err != nil {
		return err
	}
	if len(garbage) == 0 {
		return nil
	}
	for _, g := range garbage {
		rep.fail(e.cfg.Runtime.RemoveImage(ctx, g.img.ID))
	}
	left, err := j.Images(ctx)
	if err != nil {
		return err
	}
	gone := removedImages(garbage, left)
	for _, g := range gone {
		rep.add(GCItem{Kind: GCImage, App: name, Name: g.img.Name(), Bytes: g.img.Bytes, Reason: g.reason})
	}
	for _, g := range gone {
		if err := e.forgetImageEverywhere(ctx, append([]string{g.img.ID}, g.img.Tags...)); err != nil {
			return err
		}
	}
	return nil
}

// notUsedElsewhere drops from cands the images that a release of another
// app than name, kept by that app's retention, still uses (a promotion).
func (e *Engine) notUsedElsewhere(ctx context.Context, name string, cands []imageCandidate) ([]imageCandidate, error) {
	var out []imageCandidate
	for _, c := range cands {
		shared, err := e.usedElsewhere(ctx, name, append([]string{c.img.ID}, c.img.Tags...))
		if err != nil {
			return nil, err
		}
		if !shared {
			out = append(out, c)
		}
	}
	return out, nil
}

// imageCandidate is an image found to be garbage, and why.
type imageCandidate struct {
	img    StoredImage
	reason string
}

// imageGarbage picks the images of one app that retention does not keep:
// those of releases older than the newest keep (unless the active release
// uses them too), and those no release uses. rels are the app's releases,
// newest first. With orphan, the app no longer exists: all are garbage.
func imageGarbage(imgs []StoredImage, rels []*Release, keep int, orphan bool) []imageCandidate {
	kept := map[string]bool{}
	usedBy := map[string]int{}
	for i, r := range rels {
		if r.Image == "" {
			continue
		}
		if i < keep || r.Status == ReleaseActive {
			kept[r.Image] = true
		}
		if usedBy[r.Image] == 0 {
			usedBy[r.Image] = r.Number
		}
	}
	var out []imageCandidate
	for _, img := range imgs {
		refs := append([]string{img.ID}, img.Tags...)
		if anyOf(refs, kept) {
			continue
		}
		why := "no release uses it"
		switch {
		case orphan:
			why = "its app no longer exists"
		case releaseOf(refs, usedBy) > 0:
			why = fmt.Sprintf("v%d is older than the newest %d releases", releaseOf(refs, usedBy), keep)
		}
		out = append(out, imageCandidate{img: img, reason: why})
	}
	return out
}

// anyOf reports whether one of refs is in set.
func anyOf(refs []string, set map[string]bool) bool {
	for _, r := range refs {
		if set[r] {
			return true
		}
	}
	return false
}

// releaseOf is the newest release using one of refs, 0 if none does.
func releaseOf(refs []string, usedBy map[string]int) int {
	for _, r := range refs {
		if n := usedBy[r]; n > 0 {
			return n
		}
	}
	return 0
}

// removedImages returns the candidates no longer among left (Docker keeps
// images a container or another image still uses).
func removedImages(cands []imageCandidate, left []StoredImage) []imageCandidate {
	present := map[string]bool{}
	for _, img := range left {
		present[img.ID] = true
	}
	var gone []imageCandidate
	for _, c := range cands {
		if !present[c.img.ID] {
			gone = append(gone, c)
		}
	}
	return gone
}
