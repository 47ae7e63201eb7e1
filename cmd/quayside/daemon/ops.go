package daemon

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/quayside/quayside/builder/receive"
	"github.com/quayside/quayside/engine"
)

// startOps starts the operations work of a serving daemon, both ending
// with ctx: rebuilding, from the repositories, the images of current
// releases that are missing (after a restore without images), and, when
// every > 0, collecting garbage every interval with policy p, and
// destroying expired previews. The
// daemon's close stops them and waits, before the store closes.
func (d *Daemon) startOps(ctx context.Context, every time.Duration, p engine.GCPolicy) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		src := receive.RepoSources{Dir: filepath.Join(d.cfg.Data, "repos")}
		if err := d.engine.RebuildMissing(ctx, src); err != nil && ctx.Err() == nil {
			d.cfg.Log.Error("rebuild missing images", "err", engine.ErrorMessage(err))
		}
	}()
	wg.Add(1)
	go func() { defer wg.Done(); d.engine.ReapPreviewsEvery(ctx, engine.DefaultReapEvery) }()
	if every > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); d.engine.CollectGarbageEvery(ctx, every, p) }()
	}
	d.closers = append(d.closers, func() error { cancel(); wg.Wait(); return nil })
}
