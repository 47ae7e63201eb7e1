package engine

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// CatalogFile is the file in an app's repository that describes it, in
// Backstage's Component format.
const CatalogFile = "catalog-info.yaml"

// Limits of a catalog entry: a file or a `catalog set` beyond them is
// refused (a file with a warning, the command with an error).
const (
	MaxCatalogFileBytes   = 64 << 10
	MaxCatalogDescription = 1000
	MaxCatalogList        = 50 // tags, links, dependsOn
	maxCatalogName        = 100
	maxCatalogURL         = 2000
)

// CatalogFields are what the catalog says about an app: the subset of a
// Backstage Component that matters here. Owners are labels: they grant
// nothing.
type CatalogFields struct {
	Description string        `json:"description,omitempty"`
	Tags        []string      `json:"tags,omitempty"`
	Links       []CatalogLink `json:"links,omitempty"`
	Owner       string        `json:"owner,omitempty"`
	Lifecycle   string        `json:"lifecycle,omitempty"`
	System      string        `json:"system,omitempty"`
	// DependsOn are entity references ("component:payments",
	// "resource:orders-db", or an app's name).
	DependsOn []string `json:"dependsOn,omitempty"`
}

// CatalogLink is one link of an entry.
type CatalogLink struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
}

// CatalogFieldNames are the fields `quayside catalog set` takes.
var CatalogFieldNames = []string{"description", "tags", "links", "owner", "lifecycle", "system", "dependsOn"}

// CatalogEntry is an app's catalog entry from both sources.
type CatalogEntry struct {
	App string `json:"app"`
	// File is what catalog-info.yaml said at the last production push that
	// read it; FileError why the last read failed ("" when it did not).
	File      CatalogFields `json:"file"`
	FileError string        `json:"file_error,omitempty"`
	// Manual is what `quayside catalog set` set. It fills the fields the
	// file leaves empty, and replaces those named in Overrides.
	Manual    CatalogFields `json:"manual"`
	Overrides []string      `json:"overrides,omitempty"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Effective is the entry as shown: the file's fields, with the manual ones
// where the file says nothing or where they override it.
func (c *CatalogEntry) Effective() CatalogFields {
	f := c.File
	over := func(name string, empty bool) bool { return empty || slices.Contains(c.Overrides, name) }
	if m := c.Manual.Description; m != "" && over("description", f.Description == "") {
		f.Description = m
	}
	if m := c.Manual.Owner; m != "" && over("owner", f.Owner == "") {
		f.Owner = m
	}
	if m := c.Manual.Lifecycle; m != "" && over("lifecycle", f.Lifecycle == "") {
		f.Lifecycle = m
	}
	if m := c.Manual.System; m != "" && over("system", f.System == "") {
		f.System = m
	}
	if m := c.Manual.Tags; len(m) > 0 && over("tags", len(f.Tags) == 0) {
		f.Tags = m
	}
	if m := c.Manual.Links; len(m) > 0 && over("links", len(f.Links) == 0) {
		f.Links = m
	}
	if m := c.Manual.DependsOn; len(m) > 0 && over("dependsOn", len(f.DependsOn) == 0) {
		f.DependsOn = m
	}
	return f
}

// CatalogStore keeps the catalog entries.
type CatalogStore interface {
	// FindCatalog returns app's entry, empty when none was recorded;
	// ENOTFOUND for a missing app.
	FindCatalog(ctx context.Context, app string) (*CatalogEntry, error)
	// SaveCatalogFile records what the file said (or why it could not be
	// read: fileErr, keeping the fields recorded before).
	SaveCatalogFile(ctx context.Context, app string, f CatalogFields, fileErr string) error
	// SaveCatalogManual records the manual fields and overrides.
	SaveCatalogManual(ctx context.Context, app string, f CatalogFields, overrides []string) error
	// ListCatalog returns every app's entry that was recorded.
	ListCatalog(ctx context.Context) ([]*CatalogEntry, error)
}

// CatalogParser reads a catalog-info.yaml; it returns the fields it could
// read and an error saying what is wrong with the rest.
type CatalogParser func(data []byte) (CatalogFields, error)

var (
	// catalogName is a Backstage name or entity reference: letters, digits
	// and -_.:/ (kind:namespace/name).
	catalogName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)
	// catalogTag is a Backstage tag.
	catalogTag = regexp.MustCompile(`^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`)
)

// Validate checks every field against the limits and formats, and returns
// an EINVALID *Error naming the first field that fails and how to fix it.
func (f *CatalogFields) Validate() error {
	if len(f.Description) > MaxCatalogDescription || !isCleanLine(f.Description) {
		return FieldError("description", "the description must be one line of at most %d characters without control characters", MaxCatalogDescription)
	}
	for name, v := range map[string]string{"owner": f.Owner, "lifecycle": f.Lifecycle, "system": f.System} {
		if v != "" && (len(v) > maxCatalogName || !catalogName.MatchString(v)) {
			return FieldError(name, "%s %q is not a name of at most %d letters, digits and -_.:/ (for example team-payments)", name, cut(v, 60), maxCatalogName)
		}
	}
	if err := checkList("tags", f.Tags, func(t string) bool { return len(t) <= 63 && catalogTag.MatchString(t) },
		"a tag is lowercase letters, digits and : + # in words joined by - (for example java or team-a), at most 63 characters"); err != nil {
		return err
	}
	if err := checkList("dependsOn", f.DependsOn, func(d string) bool { return len(d) <= maxCatalogName && catalogName.MatchString(d) },
		"an entry of dependsOn is an app's name or an entity reference such as component:payments or resource:orders-db"); err != nil {
		return err
	}
	if len(f.Links) > MaxCatalogList {
		return FieldError("links", "at most %d links", MaxCatalogList)
	}
	for _, l := range f.Links {
		if err := checkLink(l); err != nil {
			return err
		}
	}
	return nil
}

func checkList(field string, vs []string, ok func(string) bool, rule string) error {
	if len(vs) > MaxCatalogList {
		return FieldError(field, "%s has %d entries: at most %d", field, len(vs), MaxCatalogList)
	}
	for _, v := range vs {
		if !ok(v) {
			return FieldError(field, "%s: %q: %s", field, cut(v, 60), rule)
		}
	}
	return nil
}

// checkLink allows http and https URLs only, so a link cannot run script
// in the dashboard.
func checkLink(l CatalogLink) error {
	u, err := url.Parse(l.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.URL) > maxCatalogURL {
		return FieldError("links", "link %q is not an http:// or https:// URL of at most %d characters", cut(l.URL, 80), maxCatalogURL)
	}
	if len(l.Title) > maxCatalogName || !isCleanLine(l.Title) {
		return FieldError("links", "the title of link %s must be one line of at most %d characters", cut(l.URL, 80), maxCatalogName)
	}
	return nil
}

// isCleanLine reports whether s has no control characters.
func isCleanLine(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
