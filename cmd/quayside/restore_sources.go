package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/quayside/quayside/builder/receive"
	"github.com/quayside/quayside/engine"
)

// repoSources opens commits of the apps' bare repositories under dir
// (engine.SourceOpener), for rebuilding the images a restore did not
// bring back.
type repoSources struct{ dir string }

var _ engine.SourceOpener = repoSources{}

// OpenSource implements engine.SourceOpener. A commit the repository does
// not have is ENOTFOUND.
func (s repoSources) OpenSource(ctx context.Context, app, commit string) (engine.Source, error) {
	if app == "" || filepath.Base(app) != app || app[0] == '.' {
		return nil, engine.Errorf(engine.EINVALID, "%q is not an app name", app)
	}
	gitDir := filepath.Join(s.dir, app+".git")
	src, err := receive.NewSource(gitDir, commit, nil)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "release commit %q of %s is not a full commit id", commit, app)
	}
	cmd := exec.CommandContext(ctx, "git", "--git-dir", gitDir, "cat-file", "-e", commit+"^{commit}")
	if err := cmd.Run(); err != nil {
		return nil, engine.Errorf(engine.ENOTFOUND, "commit %.7s is not in the repository of %s, so its image cannot be rebuilt: push %s again", commit, app, app)
	}
	return src, nil
}

// startOps starts the operations work of a serving daemon, both ending
// with ctx: rebuilding, from the repositories, the images of current
// releases that are missing (after a restore without images), and, when
// every > 0, collecting garbage every interval with policy p. The
// daemon's close stops them and waits, before the store closes.
func (d *daemon) startOps(ctx context.Context, every time.Duration, p engine.GCPolicy) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		src := repoSources{dir: filepath.Join(d.cfg.data, "repos")}
		if err := d.engine.RebuildMissing(ctx, src); err != nil && ctx.Err() == nil {
			d.cfg.log.Error("rebuild missing images", "err", engine.ErrorMessage(err))
		}
	}()
	if every > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); d.engine.CollectGarbageEvery(ctx, every, p) }()
	}
	d.closers = append(d.closers, func() error { cancel(); wg.Wait(); return nil })
}
