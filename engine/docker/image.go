package docker

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/quayside/quayside/engine"
)

// RemoveImage implements engine.Runtime. ref (an image ID or tag) must name
// an image labelled with this instance; any other image is left alone and
// the answer is EFORBIDDEN. A missing image is not an error. An image that
// a container (running or not) or another image still uses is kept, tags
// and all, and that is not an error either. Otherwise every tag of the
// image is removed, then the image itself, by ID, never forced.
func (r *Runtime) RemoveImage(ctx context.Context, ref string) error {
	if ref == "" {
		return engine.Errorf(engine.EINVALID, "no image named to remove")
	}
	info, err := r.cli.ImageInspect(ctx, ref)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return r.wrap("inspect image", err)
	}
	if info.Config == nil || !ownedBy(info.Config.Labels, r.instance) {
		return engine.Errorf(engine.EFORBIDDEN, "image %s was not built by this Quayside server: it is left alone", ref)
	}
	used, err := r.imageInUse(ctx, info.ID)
	if err != nil || used {
		return err
	}
	for _, name := range append(info.RepoTags, info.ID) {
		if kept, err := r.removeImageRef(ctx, name); kept || err != nil {
			return err
		}
	}
	r.log.Info("image removed", "ref", ref, "id", info.ID, "tags", info.RepoTags)
	return nil
}

// imageInUse reports whether a container, in any state, was made from the
// image id or from an image built on it, or whether an image is built on
// it. Docker would refuse to remove it, but only after untagging it.
func (r *Runtime) imageInUse(ctx context.Context, id string) (bool, error) {
	list, err := r.cli.ContainerList(ctx, container.ListOptions{
		All: true, Limit: 1, Filters: filters.NewArgs(filters.Arg("ancestor", id)),
	})
	if err != nil {
		return false, r.wrap("list containers of image", err)
	}
	if len(list) > 0 {
		r.log.Info("image in use; kept", "id", id, "container", list[0].ID[:12])
		return true, nil
	}
	images, err := r.cli.ImageList(ctx, image.ListOptions{All: true})
	if err != nil {
		return false, r.wrap("list images", err)
	}
	for _, img := range images {
		if img.ParentID == id {
			r.log.Info("image in use; kept", "id", id, "child", img.ID)
			return true, nil
		}
	}
	return false, nil
}

// removeImageRef removes one tag of an image, which removes the image with
// its last tag, or an untagged image by ID. kept is true when Docker
// refused because something uses the image: it stays. Gone is fine.
func (r *Runtime) removeImageRef(ctx context.Context, name string) (kept bool, err error) {
	_, err = r.cli.ImageRemove(ctx, name, image.RemoveOptions{PruneChildren: true})
	switch {
	case err == nil, isNotFound(err):
		return false, nil
	case cerrdefs.IsConflict(err):
		r.log.Info("image in use; kept", "ref", name, "reason", err)
		return true, nil
	default:
		return false, r.wrap("remove image", err)
	}
}
