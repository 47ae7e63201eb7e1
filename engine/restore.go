package engine

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
)

// EventRebuilt is the event of a current release whose image was missing
// (a restore without images) and was built again from its commit.
const EventRebuilt = "release.rebuilt"

// SourceOpener opens one commit of an app's repository.
type SourceOpener interface {
	// OpenSource returns the source of commit in app's repository.
	OpenSource(ctx context.Context, app, commit string) (Source, error)
}

// RebuildMissing builds again, from its commit, the image of each app's
// current release that the runtime does not have (as after a restore
// without images), records it in the release, and starts the app. Older
// releases whose images are missing too take the rebuilt image when they
// were built from the same commit, and lose their image otherwise, so a
// rollback to them says so. Apps whose images are present are left alone.
// Each app is rebuilt under its lock, in a build slot; a failure is logged,
// recorded as an event, and the other apps go on. The runtime must be a
// Janitor (it lists the images); the errors of all apps are returned joined.
func (e *Engine) RebuildMissing(ctx context.Context, src SourceOpener) error {
	j, ok := e.cfg.Runtime.(Janitor)
	if !ok {
		return Errorf(ENOTIMPLEMENTED, "this runtime cannot list images")
	}
	imgs, err := j.Images(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, img := range imgs {
		present[img.ID] = true
		for _, t := range img.Tags {
			present[t] = true
		}
	}
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range apps {
		err := e.lockedApp(ctx, a.Name, func(ctx context.Context, app *App) error {
			return e.rebuildApp(ctx, app, present, src)
		})
		if err != nil {
			e.log.Error("rebuild missing image", "app", a.Name, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// rebuildApp rebuilds app's current release when its image is missing.
// The caller holds app's lock.
func (e *Engine) rebuildApp(ctx context.Context, app *App, present map[string]bool, src SourceOpener) error {
	if app == nil || app.CurrentRelease == 0 {
		return nil
	}
	rels, err := e.cfg.Store.ListReleases(ctx, app.Name, 0)
	if err != nil {
		return err
	}
	cur := findRelease(rels, app.CurrentRelease)
	if cur == nil || (cur.Image != "" && present[cur.Image]) {
		return nil
	}
	if cur.Commit == "" {
		return Errorf(EDEPLOYFAILED, "the image of v%d of %s is missing and it has no commit to rebuild from: push again", cur.Number, app.Name)
	}
	e.log.Info("image missing: rebuilding", "app", app.Name, "release", cur.Number, "commit", ShortCommit(cur.Commit))
	img, err := e.rebuildImage(ctx, app, cur, src)
	if err != nil {
		e.emit(ctx, Event{App: app.Name, Kind: EventDeployFailed, Release: cur.Number,
			Message: "the image of v" + itoa(cur.Number) + " was missing and could not be rebuilt: " + firstLine(ErrorMessage(err))})
		return err
	}
	if err := e.adoptImage(ctx, rels, cur, img, present); err != nil {
		return err
	}
	e.emit(ctx, Event{App: app.Name, Kind: EventRebuilt, Release: cur.Number,
		Message: "the image of v" + itoa(cur.Number) + " was missing: rebuilt from commit " + ShortCommit(cur.Commit)})
	return e.syncAppLocked(ctx, app.Name, false)
}

// rebuildImage builds rel's commit again, waiting for a build slot.
func (e *Engine) rebuildImage(ctx context.Context, app *App, rel *Release, src SourceOpener) (*Image, error) {
	source, err := src.OpenSource(ctx, app.Name, rel.Commit)
	if err != nil {
		return nil, err
	}
	release, err := e.buildSlot(ctx, newProgress(nil))
	if err != nil {
		return nil, err
	}
	defer release()
	out := &lineLogger{log: e.log.With("app", app.Name, "release", rel.Number)}
	env, err := e.buildEnv(ctx, rel)
	if err != nil {
		return nil, err
	}
	start := e.now()
	img, err := e.cfg.Builder.Build(ctx, BuildRequest{
		App: app.Name, Release: rel.Number, Commit: rel.Commit, Source: source,
		Output: out, BuilderImage: app.Builder, Env: env,
	})
	e.buildFinished(app.Name, e.now().Sub(start), err)
	return img, err
}

// adoptImage records img as cur's image, and as the image of the other
// releases of the same commit whose images are missing; the others with
// missing images lose theirs.
func (e *Engine) adoptImage(ctx context.Context, rels []*Release, cur *Release, img *Image, present map[string]bool) error {
	cur.Image, cur.Port, cur.BuildMethod, cur.Processes = img.Ref, img.Port, img.Method, img.Processes
	if err := e.cfg.Store.UpdateRelease(ctx, cur); err != nil {
		return err
	}
	for _, r := range rels {
		if r.Number == cur.Number || r.Image == "" || present[r.Image] {
			continue
		}
		if r.Commit == cur.Commit {
			r.Image, r.Port, r.BuildMethod, r.Processes = img.Ref, img.Port, img.Method, img.Processes
		} else {
			r.Image = ""
		}
		if err := e.cfg.Store.UpdateRelease(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func findRelease(rels []*Release, number int) *Release {
	for _, r := range rels {
		if r.Number == number {
			return r
		}
	}
	return nil
}

// lineLogger logs what a build prints, one record per line, at debug level.
type lineLogger struct {
	log *slog.Logger
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 && len(l.buf) > 64<<10 {
			i = len(l.buf) - 1 // a very long line: log what there is
		}
		if i < 0 {
			break
		}
		l.log.Debug("rebuild output", "line", string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}
