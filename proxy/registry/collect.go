package registry

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/registry/storage"
	"github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/distribution/reference"

	"github.com/quayside/quayside/engine"
)

// GCKind is the engine.GCItem kind of an image removed from the registry.
const GCKind = "registry-image"

// Collect removes from the registry every image the manager's daemon no
// longer has (the engine's garbage collector removes the images of the
// releases retention does not keep; run Collect after it), then the
// layers no image uses. It holds off pushes and requests while it runs.
// It returns what it removed and the bytes the storage shrank by.
func (r *Registry) Collect(ctx context.Context) ([]engine.GCItem, int64, error) {
	r.shipMu.Lock()
	defer r.shipMu.Unlock()
	r.gate.Lock()
	defer r.gate.Unlock()
	before := dirSize(r.storageDir())
	drv, err := filesystem.FromParameters(map[string]any{"rootdirectory": r.storageDir()})
	if err != nil {
		return nil, 0, fmt.Errorf("collect registry: %w", err)
	}
	ns, err := storage.NewRegistry(ctx, drv, storage.EnableDelete)
	if err != nil {
		return nil, 0, fmt.Errorf("collect registry: %w", err)
	}
	removed, err := r.untagGone(ctx, ns)
	if err != nil {
		return removed, 0, err
	}
	if err := storage.MarkAndSweep(ctx, drv, ns, storage.GCOpts{RemoveUntagged: true, Quiet: true}); err != nil {
		return removed, 0, fmt.Errorf("collect registry: sweep: %w", err)
	}
	return removed, before - dirSize(r.storageDir()), nil
}

// untagGone removes the tags whose local image the manager no longer has.
func (r *Registry) untagGone(ctx context.Context, ns distribution.Namespace) ([]engine.GCItem, error) {
	var removed []engine.GCItem
	err := ns.(distribution.RepositoryEnumerator).Enumerate(ctx, func(name string) error {
		named, err := reference.WithName(name)
		if err != nil {
			return fmt.Errorf("repository %q: %w", name, err)
		}
		repo, err := ns.Repository(ctx, named)
		if err != nil {
			return fmt.Errorf("open repository %s: %w", name, err)
		}
		tags, err := repo.Tags(ctx).All(ctx)
		if err != nil {
			return nil // a repository whose tags are all gone
		}
		for _, tag := range tags {
			gone, err := r.localGone(ctx, tag)
			if err != nil {
				return err
			}
			if !gone {
				continue
			}
			if err := repo.Tags(ctx).Untag(ctx, tag); err != nil {
				return fmt.Errorf("untag %s:%s: %w", name, tag, err)
			}
			removed = append(removed, engine.GCItem{Kind: GCKind, App: name, Name: r.cfg.Host + "/" + name + ":" + tag,
				Reason: "the control host no longer keeps this image"})
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("collect registry: %w", err)
	}
	return removed, nil
}

// localGone reports whether the local image a tag was shipped from is gone
// from the manager's daemon. Tags Ship did not write are left alone.
func (r *Registry) localGone(ctx context.Context, tag string) (bool, error) {
	hex, ok := strings.CutPrefix(tag, tagPrefix)
	if !ok {
		return false, nil
	}
	_, err := r.cfg.Docker.ImageInspect(ctx, "sha256:"+hex)
	if cerrdefs.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("collect registry: inspect image %s: %w", hex, err)
	}
	return false, nil
}

// dirSize is the bytes of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
