package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// collectBuildCaches removes the build caches of apps the store no longer
// knows, then, while all caches together take more than budget (when
// budget > 0), the caches of the apps built least recently.
func (e *Engine) collectBuildCaches(ctx context.Context, j Janitor, budget int64, rep *GCReport) error {
	caches, err := j.BuildCaches(ctx)
	if err != nil {
		rep.fail(err)
		return nil
	}
	lastBuilt := map[string]time.Time{}
	for _, c := range caches {
		t, known, err := e.lastBuild(ctx, c.App)
		if err != nil {
			return err
		}
		if !known {
			e.removeCache(ctx, j, c, "its app no longer exists", rep)
			continue
		}
		lastBuilt[c.App] = t
	}
	if budget <= 0 {
		return nil
	}
	over := overBudget(caches, lastBuilt, budget)
	for _, c := range over {
		e.removeCache(ctx, j, c, fmt.Sprintf("build caches exceeded the budget of %s; its app was built least recently", FormatBytes(budget)), rep)
	}
	return ctx.Err()
}

// lastBuild is when app's newest release was made; known is false when
// the store does not know app.
func (e *Engine) lastBuild(ctx context.Context, app string) (t time.Time, known bool, err error) {
	rels, err := e.cfg.Store.ListReleases(ctx, app, 1)
	if ErrorCode(err) == ENOTFOUND {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	if len(rels) > 0 {
		t = rels[0].CreatedAt
	}
	return t, true, nil
}

// overBudget picks, least recently built first, the caches of known apps
// to remove until the rest take at most budget bytes.
func overBudget(caches []BuildCache, lastBuilt map[string]time.Time, budget int64) []BuildCache {
	var known []BuildCache
	var total int64
	for _, c := range caches {
		if _, ok := lastBuilt[c.App]; ok {
			known = append(known, c)
			total += c.Bytes
		}
	}
	sort.SliceStable(known, func(i, k int) bool { return lastBuilt[known[i].App].Before(lastBuilt[known[k].App]) })
	var out []BuildCache
	for _, c := range known {
		if total <= budget {
			break
		}
		out = append(out, c)
		total -= c.Bytes
	}
	return out
}

// removeCache removes one app's build cache under the app's lock, so no
// build of it runs meanwhile.
func (e *Engine) removeCache(ctx context.Context, j Janitor, c BuildCache, reason string, rep *GCReport) {
	err := e.lockedApp(ctx, c.App, func(ctx context.Context, _ *App) error {
		return j.RemoveBuildCache(ctx, c.App)
	})
	if err != nil {
		rep.fail(err)
		return
	}
	rep.add(GCItem{Kind: GCBuildCache, App: c.App, Name: strings.Join(c.Volumes, ", "), Bytes: c.Bytes, Reason: reason})
}

// FormatBytes prints n bytes for people: 512 B, 1.5 KiB, 3.2 GiB.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
