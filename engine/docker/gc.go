package docker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

var _ engine.Janitor = (*Runtime)(nil)

// cacheSuffixes end the names of the build cache volumes (see
// dockernames.CacheVolumes), which carry no labels.
var cacheSuffixes = []string{dockernames.CacheBuildSuffix, dockernames.CacheLaunchSuffix}

// Images implements engine.Janitor: the images labelled with this
// instance, with the size of the layers no other image shares.
func (r *Runtime) Images(ctx context.Context) ([]engine.StoredImage, error) {
	du, err := r.diskUsage(ctx, types.ImageObject)
	if err != nil {
		return nil, err
	}
	var out []engine.StoredImage
	for _, s := range du.Images {
		if s == nil || !ownedBy(s.Labels, r.instance) {
			continue
		}
		rel, _ := strconv.Atoi(s.Labels[dockernames.LabelRelease])
		unique := s.Size
		if s.SharedSize > 0 {
			unique -= s.SharedSize
		}
		out = append(out, engine.StoredImage{
			ID: s.ID, Tags: realTags(s.RepoTags), App: s.Labels[dockernames.LabelApp], Release: rel,
			Bytes: unique, Created: time.Unix(s.Created, 0).UTC(),
		})
	}
	return out, nil
}

// realTags drops the "<none>:<none>" Docker lists for untagged images.
func realTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t != "<none>:<none>" && t != "" {
			out = append(out, t)
		}
	}
	return out
}

// diskUsage asks Docker for the sizes of one kind of object. Docker runs
// one such computation at a time and refuses others meanwhile (Engine
// 20.10 with a plain 500 "a disk usage operation is already running", later
// ones with a conflict): diskUsage waits and asks again, with a backoff
// from r.busyBackoff doubling to 16 times that, for up to r.busyFor, since
// another client's computation on a loaded daemon can take seconds, and
// at least twice. A daemon still busy then is EUNAVAILABLE.
func (r *Runtime) diskUsage(ctx context.Context, kind types.DiskUsageObject) (types.DiskUsage, error) {
	wait, deadline := r.busyBackoff, time.Now().Add(r.busyFor)
	for asked := 1; ; asked++ {
		du, err := r.cli.DiskUsage(ctx, types.DiskUsageOptions{Types: []types.DiskUsageObject{kind}})
		if err == nil || !diskUsageBusy(err) {
			return du, r.wrap("read disk usage", err)
		}
		if asked > 1 && time.Now().Add(wait).After(deadline) {
			return du, engine.Wrapf(fmt.Errorf("read disk usage: %w", err), engine.EUNAVAILABLE,
				"Docker is still busy computing disk usage for another client after %s: try again in a minute", r.busyFor)
		}
		r.log.Debug("disk usage busy; asking again", "in", wait)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return du, fmt.Errorf("read disk usage: %w", ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, 16*r.busyBackoff)
	}
}

// How long diskUsage keeps asking a busy daemon, and its first wait.
const (
	defaultBusyFor     = 30 * time.Second
	defaultBusyBackoff = 100 * time.Millisecond
)

// diskUsageBusy reports whether err is Docker refusing a disk-usage
// computation because another one is running.
func diskUsageBusy(err error) bool {
	return cerrdefs.IsConflict(err) || strings.Contains(err.Error(), "disk usage operation is already running")
}

// RemoveStoppedContainers implements engine.Janitor.
func (r *Runtime) RemoveStoppedContainers(ctx context.Context, stoppedFor time.Duration) ([]engine.GCItem, error) {
	f := scope(r.instance, "")
	for _, st := range []string{"exited", "dead", "created"} {
		f.Add("status", st)
	}
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, r.wrap("list stopped containers", err)
	}
	var out []engine.GCItem
	var errs []error
	for _, c := range list {
		item, ok, err := r.removeIfStopped(ctx, c.ID, stoppedFor)
		if ok {
			out = append(out, item)
		}
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// removeIfStopped removes the container id when it has been stopped for
// longer than stoppedFor. It looks again first: it may have been started.
func (r *Runtime) removeIfStopped(ctx context.Context, id string, stoppedFor time.Duration) (engine.GCItem, bool, error) {
	info, _, err := r.cli.ContainerInspectWithRaw(ctx, id, true)
	if isNotFound(err) {
		return engine.GCItem{}, false, nil
	}
	if err != nil {
		return engine.GCItem{}, false, r.wrap("inspect container", err)
	}
	if info.ContainerJSONBase == nil || info.State == nil || info.Config == nil || !ownedBy(info.Config.Labels, r.instance) ||
		isAddon(info.Config.Labels) {
		return engine.GCItem{}, false, nil
	}
	since, stopped := stoppedSince(info)
	if !stopped || time.Since(since) < stoppedFor {
		return engine.GCItem{}, false, nil
	}
	if err := r.forceRemove(ctx, info.ID); err != nil {
		return engine.GCItem{}, false, r.wrap("remove container", err)
	}
	r.log.Info("stopped container removed", "name", info.Name, "id", info.ID[:12])
	var size int64
	if info.SizeRw != nil {
		size = *info.SizeRw
	}
	return engine.GCItem{
		Kind: engine.GCContainer, App: info.Config.Labels[dockernames.LabelApp], Name: strings.TrimPrefix(info.Name, "/"),
		Bytes: size, Reason: fmt.Sprintf("%s since %s", info.State.Status, since.Format(time.RFC3339)),
	}, true, nil
}

// stoppedSince says since when a container has not run: when it finished,
// or when it was created if it never started.
func stoppedSince(info container.InspectResponse) (time.Time, bool) {
	st := info.State
	switch st.Status {
	case "exited", "dead":
		if t, err := time.Parse(time.RFC3339Nano, st.FinishedAt); err == nil && t.Year() > 1 {
			return t, true
		}
	case "created":
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, info.Created)
	return t, err == nil
}

// BuildCaches implements engine.Janitor: the volumes named like the build
// caches of this instance's apps, grouped by app, with their sizes.
func (r *Runtime) BuildCaches(ctx context.Context) ([]engine.BuildCache, error) {
	du, err := r.diskUsage(ctx, types.VolumeObject)
	if err != nil {
		return nil, err
	}
	byApp := map[string]*engine.BuildCache{}
	var order []string
	for _, v := range du.Volumes {
		app, ok := r.cacheApp(v)
		if !ok {
			continue
		}
		c := byApp[app]
		if c == nil {
			c = &engine.BuildCache{App: app}
			byApp[app] = c
			order = append(order, app)
		}
		c.Volumes = append(c.Volumes, v.Name)
		if v.UsageData != nil && v.UsageData.Size > 0 {
			c.Bytes += v.UsageData.Size
		}
	}
	out := make([]engine.BuildCache, 0, len(order))
	for _, app := range order {
		out = append(out, *byApp[app])
	}
	return out, nil
}

// cacheApp returns the app whose build cache v is, if it is one of this
// instance's.
func (r *Runtime) cacheApp(v *volume.Volume) (string, bool) {
	if v == nil {
		return "", false
	}
	rest, ok := strings.CutPrefix(v.Name, "qs-"+r.instance+"-")
	if !ok {
		return "", false
	}
	for _, suf := range cacheSuffixes {
		if app, ok := strings.CutSuffix(rest, suf); ok && nameRe.MatchString(app) {
			return app, true
		}
	}
	return "", false
}

// RemoveBuildCache implements engine.Janitor. Missing volumes are fine.
func (r *Runtime) RemoveBuildCache(ctx context.Context, app string) error {
	if !nameRe.MatchString(app) {
		return engine.Errorf(engine.EINVALID, "app name %q is not valid for Docker names", app)
	}
	var errs []error
	for _, suf := range cacheSuffixes {
		name := "qs-" + r.instance + "-" + app + suf
		err := r.cli.VolumeRemove(ctx, name, false)
		switch {
		case err == nil:
			r.log.Info("build cache removed", "app", app, "volume", name)
		case isNotFound(err):
		case cerrdefs.IsConflict(err):
			return engine.Errorf(engine.ECONFLICT, "the build cache of %s is in use by a running build: it stays", app)
		default:
			errs = append(errs, r.wrap("remove volume "+name, err))
		}
	}
	return errors.Join(errs...)
}
