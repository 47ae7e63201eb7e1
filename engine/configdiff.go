package engine

import (
	"context"
	"maps"
	"slices"
)

// ConfigDiff names the variables that differ between two configs; it
// never holds a value, so anyone who may read an app may see it.
type ConfigDiff struct {
	Added, Changed, Removed []string
}

// Empty reports whether the two configs are the same.
func (d ConfigDiff) Empty() bool {
	return len(d.Added)+len(d.Changed)+len(d.Removed) == 0
}

// DiffConfig compares the variables of from with those of to; each list
// is sorted.
func DiffConfig(from, to map[string]string) ConfigDiff {
	var d ConfigDiff
	for _, k := range slices.Sorted(maps.Keys(to)) {
		old, ok := from[k]
		switch {
		case !ok:
			d.Added = append(d.Added, k)
		case old != to[k]:
			d.Changed = append(d.Changed, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(from)) {
		if _, ok := to[k]; !ok {
			d.Removed = append(d.Removed, k)
		}
	}
	return d
}

// ConfigVersionDiff names what changes when app goes from config version
// from to version to (as a rollback does). Names only: it needs
// ActReadApp.
func (e *Engine) ConfigVersionDiff(ctx context.Context, app string, from, to int) (ConfigDiff, error) {
	if _, err := e.FindApp(ctx, app); err != nil {
		return ConfigDiff{}, err
	}
	a, err := e.cfg.Store.FindConfigVersion(ctx, app, from)
	if err != nil {
		return ConfigDiff{}, err
	}
	b, err := e.cfg.Store.FindConfigVersion(ctx, app, to)
	if err != nil {
		return ConfigDiff{}, err
	}
	return DiffConfig(a.Vars, b.Vars), nil
}

// DryRunConfig names what ch would change in app's current config,
// without changing anything. It needs ActChangeConfig, and checks the
// change as SetConfig would (EINVALID for a bad key or value).
func (e *Engine) DryRunConfig(ctx context.Context, ch ConfigChange) (ConfigDiff, error) {
	if err := e.authorize(ctx, ActChangeConfig, ch.App); err != nil {
		return ConfigDiff{}, err
	}
	if err := validateChange(ch); err != nil {
		return ConfigDiff{}, err
	}
	app, err := e.cfg.Store.FindApp(ctx, ch.App)
	if err != nil {
		return ConfigDiff{}, err
	}
	cur, err := e.cfg.Store.FindConfigVersion(ctx, app.Name, app.ConfigVersion)
	if err != nil {
		return ConfigDiff{}, err
	}
	next := maps.Clone(cur.Vars)
	if next == nil {
		next = map[string]string{}
	}
	for k, v := range ch.Set {
		next[k] = v
	}
	for _, k := range ch.Unset {
		delete(next, k)
	}
	return DiffConfig(cur.Vars, next), nil
}
