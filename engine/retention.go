package engine

import "context"

// pruneImages removes the images of app's releases older than the newest
// KeepReleases, unless a kept release (or the current one) uses the same
// image, or a release of another app that its retention keeps uses it (a
// promotion shares images between apps). A release whose image is removed keeps its record with no image,
// so rollbacks to it are refused with a clear message. Failures are logged:
// pruning never fails a deploy.
func (e *Engine) pruneImages(ctx context.Context, app string) {
	rels, err := e.cfg.Store.ListReleases(ctx, app, 0)
	if err != nil {
		e.log.Error("list releases for pruning", "app", app, "err", err)
		return
	}
	keep := map[string]bool{}
	for i, r := range rels {
		if i < e.cfg.KeepReleases || r.Status == ReleaseActive {
			keep[r.Image] = true
		}
	}
	for _, r := range rels {
		if r.Image == "" || keep[r.Image] {
			continue
		}
		if shared, err := e.usedElsewhere(ctx, app, []string{r.Image}); shared {
			if err != nil {
				e.log.Error("check image use of other apps", "app", app, "release", r.Number, "err", err)
			}
			keep[r.Image] = true
			continue
		}
		if err := e.cfg.Runtime.RemoveImage(ctx, r.Image); err != nil {
			e.log.Warn("remove old release image", "app", app, "release", r.Number, "err", err)
			continue
		}
		if err := e.forgetImageEverywhere(ctx, []string{r.Image}); err != nil {
			e.log.Error("record pruned image", "app", app, "release", r.Number, "err", err)
		}
	}
}
