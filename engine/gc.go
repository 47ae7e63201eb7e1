package engine

import (
	"context"
	"fmt"
	"time"
)

// DefaultStoppedFor is how long a container must have been stopped before
// the garbage collector removes it, when GCPolicy.StoppedFor is zero.
const DefaultStoppedFor = 10 * time.Minute

// GC item kinds.
const (
	GCImage      = "image"
	GCContainer  = "container"
	GCBuildCache = "build-cache"
)

// AuditGC is the audit action of a garbage collection someone asked for.
const AuditGC = "server.gc"

// GCPolicy says what the garbage collector keeps. Image retention is the
// engine's KeepReleases.
type GCPolicy struct {
	// BuildCacheBudget is the most disk, in bytes, the apps' build caches
	// may take together; the caches of the apps built least recently are
	// removed until the rest fits. 0 means no budget.
	BuildCacheBudget int64
	// StoppedFor is how long a container must have been stopped (or
	// created and never started) before it is removed; 0 means
	// DefaultStoppedFor.
	StoppedFor time.Duration
}

func (p GCPolicy) stoppedFor() time.Duration {
	if p.StoppedFor <= 0 {
		return DefaultStoppedFor
	}
	return p.StoppedFor
}

// GCItem is one thing the garbage collector removed.
type GCItem struct {
	// Kind is GCImage, GCContainer or GCBuildCache.
	Kind string `json:"kind"`
	App  string `json:"app,omitempty"`
	// Name is the image's tag (its ID when untagged), the container's
	// name, or the cache volumes' names.
	Name string `json:"name"`
	// Bytes is the disk it freed: an image's layers no other image shares,
	// a container's writable layer, a cache's volumes.
	Bytes int64 `json:"bytes"`
	// Reason says why it was garbage.
	Reason string `json:"reason"`
}

// GCReport is what one garbage collection removed.
type GCReport struct {
	Removed []GCItem `json:"removed"`
	// BytesFreed is the sum of the items' Bytes: layers that removed images
	// shared only with each other are not counted, so the disk may gain a
	// little more.
	BytesFreed int64 `json:"bytes_freed"`
	// Errors are what could not be removed; the rest was.
	Errors []string `json:"errors,omitempty"`
}

func (r *GCReport) add(items ...GCItem) {
	for _, it := range items {
		r.Removed = append(r.Removed, it)
		r.BytesFreed += it.Bytes
	}
}

func (r *GCReport) fail(err error) {
	if err != nil {
		r.Errors = append(r.Errors, ErrorMessage(err))
	}
}

// StoredImage is an image the runtime keeps for this Quayside instance.
type StoredImage struct {
	ID string
	// Tags are its repository tags, none when it is dangling.
	Tags    []string
	App     string
	Release int
	// Bytes is the size of its layers that no other image shares.
	Bytes   int64
	Created time.Time
}

// Name is the image's first tag, or its ID when it has none.
func (i StoredImage) Name() string {
	if len(i.Tags) > 0 {
		return i.Tags[0]
	}
	return i.ID
}

// BuildCache is the build cache one app's builds keep in the runtime.
type BuildCache struct {
	App     string
	Volumes []string
	Bytes   int64
}

// Janitor is a Runtime that can list and remove what Quayside's builds and
// containers leave on disk. Like Runtime it only ever sees and touches the
// objects of this Quayside instance.
type Janitor interface {
	// Images lists this instance's images, tagged or not, with sizes.
	Images(ctx context.Context) ([]StoredImage, error)
	// RemoveStoppedContainers removes this instance's containers (one-off
	// ones included) that have been stopped, or created and never started,
	// for longer than stoppedFor, and returns what it removed.
	RemoveStoppedContainers(ctx context.Context, stoppedFor time.Duration) ([]GCItem, error)
	// BuildCaches lists the build caches of this instance's apps (of apps
	// the store may no longer know too), with sizes.
	BuildCaches(ctx context.Context) ([]BuildCache, error)
	// RemoveBuildCache removes app's build cache; one a running build uses
	// is ECONFLICT.
	RemoveBuildCache(ctx context.Context, app string) error
}

// CollectGarbage removes what Quayside no longer needs and reports what it
// freed: images of releases beyond the newest KeepReleases (and images no
// release uses, such as those of apps that no longer exist), containers
// stopped for longer than p.StoppedFor, build caches of apps that no
// longer exist, and the build caches of the least recently built apps
// while all of them take more than p.BuildCacheBudget. It only touches
// objects of this Quayside instance, and works on one app at a time under
// that app's lock, so it never races a deploy. What fails is reported in
// GCReport.Errors; the rest is still collected. A runtime that is not a
// Janitor is ENOTIMPLEMENTED.
func (e *Engine) CollectGarbage(ctx context.Context, p GCPolicy) (rep *GCReport, err error) {
	if err := e.authorize(ctx, ActServer, ""); err != nil {
		return nil, err
	}
	if _, asked := IdentityFrom(ctx); asked {
		defer func() { e.audit(ctx, AuditGC, "", "", gcSummary(rep), err) }()
	}
	j, ok := e.cfg.Runtime.(Janitor)
	if !ok {
		return nil, Errorf(ENOTIMPLEMENTED, "this runtime cannot collect garbage")
	}
	e.gcMu.Lock()
	defer e.gcMu.Unlock()
	rep = &GCReport{Removed: []GCItem{}}
	cs, err := j.RemoveStoppedContainers(ctx, p.stoppedFor())
	rep.add(cs...)
	rep.fail(err)
	if err := e.collectImages(ctx, j, rep); err != nil {
		return rep, err
	}
	if err := e.collectBuildCaches(ctx, j, p.BuildCacheBudget, rep); err != nil {
		return rep, err
	}
	e.log.Info("garbage collected", "removed", len(rep.Removed), "bytes_freed", rep.BytesFreed, "errors", len(rep.Errors))
	return rep, nil
}

// CollectGarbageEvery runs CollectGarbage every interval until ctx ends.
// Failures are logged.
func (e *Engine) CollectGarbageEvery(ctx context.Context, every time.Duration, p GCPolicy) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := e.CollectGarbage(ctx, p)
		if err != nil && ctx.Err() == nil {
			e.log.Error("garbage collection", "err", err)
		}
		if rep != nil && len(rep.Errors) > 0 {
			e.log.Warn("garbage collection left some things", "errors", rep.Errors)
		}
	}
}

// appNames lists the apps the store knows and those only the runtime has
// objects of, each once.
func appNames(apps []*App, others ...string) []string {
	seen := map[string]bool{}
	var names []string
	for _, a := range apps {
		if !seen[a.Name] {
			seen[a.Name] = true
			names = append(names, a.Name)
		}
	}
	for _, n := range others {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names
}

// lockedApp runs fn with app's lock held, passing the app as the store
// has it now (nil when the store no longer knows it). Apps being destroyed
// are skipped: destroying removes their objects.
func (e *Engine) lockedApp(ctx context.Context, name string, fn func(context.Context, *App) error) error {
	lctx, unlock, err := e.locks.lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	app, err := e.cfg.Store.FindApp(lctx, name)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		app = nil
	case err != nil:
		return err
	case app.State == AppDestroying:
		return nil
	}
	return fn(lctx, app)
}

func gcSummary(rep *GCReport) string {
	if rep == nil {
		return ""
	}
	return fmt.Sprintf("removed %d, freed %d bytes", len(rep.Removed), rep.BytesFreed)
}
