package docker

import (
	"context"
	"slices"
	"sort"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"

	"github.com/quayside/quayside/engine"
)

// RemoveApp implements engine.Runtime: it kills and removes the app's
// one-off containers (Run), which Containers does not list, then removes
// the app's network and every image labelled with this instance and the app
// (forced, untagged parents pruned). Missing ones are fine. Other containers
// still attached to the network make it fail with ECONFLICT.
func (r *Runtime) RemoveApp(ctx context.Context, app string) error {
	return r.RemoveAppKeeping(ctx, app, nil)
}

var _ engine.AppImageKeeper = (*Runtime)(nil)

// RemoveAppKeeping implements engine.AppImageKeeper: RemoveApp, leaving
// the images whose ID or one of whose tags is in keep (and, so that they
// stay whole, pruning no untagged parents when keep is not empty).
func (r *Runtime) RemoveAppKeeping(ctx context.Context, app string, keep []string) error {
	if !nameRe.MatchString(app) {
		return engine.Errorf(engine.EINVALID, "app name %q is not valid for Docker names", app)
	}
	if err := r.removeOneOffs(ctx, app); err != nil {
		return err
	}
	if err := r.removeNetworks(ctx, app); err != nil {
		return err
	}
	return r.removeImages(ctx, app, keep)
}

// removeOneOffs force-removes the one-off containers of app.
func (r *Runtime) removeOneOffs(ctx context.Context, app string) error {
	f := scope(r.instance, app)
	f.Add("label", LabelOneOff+"=true")
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return r.wrap("list one-off containers", err)
	}
	for _, c := range list {
		if err := r.forceRemove(ctx, c.ID); err != nil {
			return r.wrap("remove one-off container", err)
		}
		r.log.Info("one-off container removed", "app", app, "id", c.ID[:12])
	}
	return nil
}

// removeImages removes the images of app but those in keep.
func (r *Runtime) removeImages(ctx context.Context, app string, keep []string) error {
	images, err := r.cli.ImageList(ctx, image.ListOptions{All: true, Filters: scope(r.instance, app)})
	if err != nil {
		return r.wrap("list images", err)
	}
	kept := keptWithParents(images, keep)
	for _, img := range childrenFirst(images) {
		if kept[img.ID] {
			r.log.Info("image kept: another app uses it", "app", app, "id", img.ID, "tags", img.RepoTags)
			continue
		}
		_, err := r.cli.ImageRemove(ctx, img.ID, image.RemoveOptions{Force: true, PruneChildren: len(keep) == 0})
		if err != nil && !isNotFound(err) {
			return r.wrap("remove image", err)
		}
		r.log.Info("image removed", "app", app, "id", img.ID, "tags", img.RepoTags)
	}
	return nil
}

// keptWithParents is the set of IDs of the images whose ID or a tag is in
// keep, and of their parents among images (Docker refuses to remove a
// parent while its child stays).
func keptWithParents(images []image.Summary, keep []string) map[string]bool {
	kept := map[string]bool{}
	if len(keep) == 0 {
		return kept
	}
	byID := make(map[string]image.Summary, len(images))
	for _, img := range images {
		byID[img.ID] = img
	}
	for _, img := range images {
		if !slices.Contains(keep, img.ID) && !slices.ContainsFunc(img.RepoTags, func(t string) bool { return slices.Contains(keep, t) }) {
			continue
		}
		for cur, ok := img, true; ok && !kept[cur.ID]; cur, ok = byID[cur.ParentID] {
			kept[cur.ID] = true
		}
	}
	return kept
}

// childrenFirst orders images so that each comes before its parent: Docker
// refuses to remove an image with children, and removing a child prunes
// its untagged parents anyway.
func childrenFirst(images []image.Summary) []image.Summary {
	byID := make(map[string]image.Summary, len(images))
	for _, img := range images {
		byID[img.ID] = img
	}
	depth := make(map[string]int, len(images))
	for _, img := range images {
		for p, ok := byID[img.ParentID]; ok && depth[img.ID] < len(images); p, ok = byID[p.ParentID] {
			depth[img.ID]++
		}
	}
	sorted := append([]image.Summary(nil), images...)
	sort.SliceStable(sorted, func(i, j int) bool { return depth[sorted[i].ID] > depth[sorted[j].ID] })
	return sorted
}
