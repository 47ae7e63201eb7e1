package engine

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// AuditCatalog is the audit action of `quayside catalog set`.
const AuditCatalog = "app.catalog"

// CatalogChange sets catalog fields of an app by hand.
type CatalogChange struct {
	App string
	// Set maps field names (CatalogFieldNames) to values; lists (tags,
	// links, dependsOn) are comma-separated, a link may be "Title=URL", and
	// "" clears the field.
	Set map[string]string
	// Override lists fields whose manual value replaces what the file says;
	// other manual fields only fill what the file leaves empty.
	Override []string
}

// readCatalog reads catalog-info.yaml from a production push's source and
// records it. A missing file clears what an earlier file said; a broken
// one is a warning in the push's output and keeps the earlier fields. It
// never fails the push.
func (e *Engine) readCatalog(ctx context.Context, app string, src Source, out *progress) {
	if e.cfg.CatalogParser == nil || src == nil {
		return
	}
	data, err := src.ReadFile(ctx, CatalogFile)
	var f CatalogFields
	var msg string
	switch {
	case ErrorCode(err) == ENOTFOUND:
	case err != nil:
		msg = ErrorMessage(err)
	case len(data) > MaxCatalogFileBytes:
		msg = "the file is larger than 64 KiB"
	default:
		f, msg = e.parseCatalog(data)
	}
	// The message may quote the file's own text: keep it plain, as the
	// CLI prints it and it is stored for everyone who sees the app.
	msg = PlainText(msg)
	if msg != "" {
		out.Step("Warning: %s was not read: %s. The deploy goes on; fix the file, or set the fields with `quayside catalog set %s owner=...`", CatalogFile, msg, app)
	}
	if err := e.cfg.Store.SaveCatalogFile(ctx, app, f, msg); err != nil {
		e.log.Warn("save the catalog entry", "app", app, "err", err)
	}
}

// parseCatalog parses and checks a catalog file, returning what is wrong
// with it in words ("" when nothing is).
func (e *Engine) parseCatalog(data []byte) (CatalogFields, string) {
	f, err := e.cfg.CatalogParser(data)
	if err == nil {
		err = f.Validate()
	}
	if err != nil {
		return CatalogFields{}, ErrorMessage(err)
	}
	return f, ""
}

// SetCatalog changes app's manual catalog fields and returns the entry.
// Owners are labels: setting one grants nothing.
func (e *Engine) SetCatalog(ctx context.Context, ch CatalogChange) (entry *CatalogEntry, err error) {
	if err := e.authorize(ctx, ActSettings, ch.App); err != nil {
		return nil, err
	}
	defer func() { e.audit(ctx, AuditCatalog, ch.App, "", catalogAuditDetail(ch), err) }()
	cur, err := e.cfg.Store.FindCatalog(ctx, ch.App)
	if err != nil {
		return nil, err
	}
	manual, over, err := applyCatalogChange(cur.Manual, cur.Overrides, ch)
	if err != nil {
		return nil, err
	}
	if err := e.cfg.Store.SaveCatalogManual(ctx, ch.App, manual, over); err != nil {
		return nil, err
	}
	return e.cfg.Store.FindCatalog(ctx, ch.App)
}

// applyCatalogChange is m with ch's fields set, and the overrides after it.
func applyCatalogChange(m CatalogFields, over []string, ch CatalogChange) (CatalogFields, []string, error) {
	if len(ch.Set) == 0 && len(ch.Override) == 0 {
		return m, over, FieldError("set", "name at least one field to set, such as owner=team-payments (fields: %s)", strings.Join(CatalogFieldNames, ", "))
	}
	for name, v := range ch.Set {
		if err := setCatalogField(&m, name, strings.TrimSpace(v)); err != nil {
			return m, over, err
		}
	}
	for _, name := range ch.Override {
		if !slices.Contains(CatalogFieldNames, name) {
			return m, over, FieldError("override", "%q is not a catalog field: use one of %s", name, strings.Join(CatalogFieldNames, ", "))
		}
		if !slices.Contains(over, name) {
			over = append(over, name)
		}
	}
	sort.Strings(over)
	return m, over, m.Validate()
}

// setCatalogField sets one field from its command-line text.
func setCatalogField(m *CatalogFields, name, v string) error {
	switch name {
	case "description":
		m.Description = v
	case "owner":
		m.Owner = v
	case "lifecycle":
		m.Lifecycle = v
	case "system":
		m.System = v
	case "tags":
		m.Tags = splitList(v)
	case "dependsOn", "dependson", "depends-on":
		m.DependsOn = splitList(v)
	case "links":
		m.Links = nil
		for _, l := range splitList(v) {
			m.Links = append(m.Links, parseLink(l))
		}
	default:
		return FieldError(name, "%q is not a catalog field: use one of %s", name, strings.Join(CatalogFieldNames, ", "))
	}
	return nil
}

// splitList reads a comma-separated list, dropping empty entries.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseLink reads "URL" or "Title=URL".
func parseLink(s string) CatalogLink {
	title, u, ok := strings.Cut(s, "=")
	if !ok || strings.Contains(title, "://") {
		return CatalogLink{URL: s}
	}
	return CatalogLink{Title: strings.TrimSpace(title), URL: strings.TrimSpace(u)}
}

func catalogAuditDetail(ch CatalogChange) string {
	names := make([]string, 0, len(ch.Set))
	for n := range ch.Set {
		names = append(names, n)
	}
	sort.Strings(names)
	d := "set " + strings.Join(names, ", ")
	if len(ch.Override) > 0 {
		d += "; override " + strings.Join(ch.Override, ", ")
	}
	return d
}

// Catalog returns app's catalog entry.
func (e *Engine) Catalog(ctx context.Context, app string) (*CatalogEntry, error) {
	if _, err := e.FindApp(ctx, app); err != nil {
		return nil, err
	}
	return e.cfg.Store.FindCatalog(ctx, app)
}

// CatalogEntries returns the catalog entry of every app the caller may
// see but preview environments, by app name; apps without one get an
// empty entry.
func (e *Engine) CatalogEntries(ctx context.Context) ([]*App, map[string]*CatalogEntry, error) {
	apps, err := e.ListApps(ctx)
	if err != nil {
		return nil, nil, err
	}
	all, err := e.cfg.Store.ListCatalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	apps = slices.DeleteFunc(apps, func(a *App) bool { return isPreviewApp(a.Name) })
	byApp := make(map[string]*CatalogEntry, len(apps))
	for _, a := range apps {
		byApp[a.Name] = &CatalogEntry{App: a.Name}
	}
	for _, c := range all {
		if _, ok := byApp[c.App]; ok {
			byApp[c.App] = c
		}
	}
	return apps, byApp, nil
}
