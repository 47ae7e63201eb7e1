package cnb

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/quayside/quayside/internal/dockernames"
)

// ClearCache implements engine.CacheClearer: it removes the app's build and
// launch cache volumes, so its next build starts cold (it then reuses no
// layer of an earlier image either), and its kaniko volume. Volumes that do
// not exist are fine; one in use by a running build is an error.
func (b *Builder) ClearCache(ctx context.Context, app string) error {
	build, launch := dockernames.CacheVolumes(b.cfg.Instance, app)
	return errors.Join(b.removeVolume(ctx, build), b.removeVolume(ctx, launch),
		b.removeVolume(ctx, kanikoVolume(b.cfg.Instance, app)))
}

// kanikoVolume names the volume an untrusted build gives the lifecycle for
// image extensions (created only for builders that have some). Naming it
// keeps pack from inventing a name per image, which it records in
// ~/.pack/volume-keys.toml at every build.
func kanikoVolume(instance, app string) string {
	return fmt.Sprintf("qs-%s-%s-cache-kaniko", instance, app)
}

// removeVolume removes a volume; a missing one is fine.
func (b *Builder) removeVolume(ctx context.Context, name string) error {
	err := b.cli.VolumeRemove(ctx, name, false)
	if err == nil || isNotFound(err) {
		return nil
	}
	return b.wrap("remove volume "+name, err)
}

// volumeExists reports whether the daemon has the volume name.
func (b *Builder) volumeExists(ctx context.Context, name string) (bool, error) {
	_, err := b.cli.VolumeInspect(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, b.wrap("inspect volume "+name, err)
	}
}

// RemoveLeftovers removes the build containers and networks of this
// instance that a build interrupted by a crash left behind (pack removes
// its own otherwise). Call it when the server starts, before any build.
func (b *Builder) RemoveLeftovers(ctx context.Context) error {
	return b.removeLeftovers(ctx)
}

// removeLeftovers removes the build containers and networks of this
// instance that also carry every label of labels ("key=value").
func (b *Builder) removeLeftovers(ctx context.Context, labels ...string) error {
	f := filters.NewArgs(filters.Arg("label", LabelBuildInstance+"="+b.cfg.Instance))
	for _, l := range labels {
		f.Add("label", l)
	}
	cs, err := b.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return b.wrap("list build containers", err)
	}
	var errs []error
	for _, c := range cs {
		if err := b.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil && !isNotFound(err) {
			errs = append(errs, b.wrap("remove build container", err))
		}
	}
	nets, err := b.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return errors.Join(append(errs, b.wrap("list build networks", err))...)
	}
	for _, n := range nets {
		if err := b.cli.NetworkRemove(ctx, n.ID); err != nil && !isNotFound(err) {
			errs = append(errs, b.wrap("remove build network", err))
		}
	}
	return errors.Join(errs...)
}
