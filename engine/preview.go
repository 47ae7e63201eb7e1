package engine

import (
	"context"
	"time"
)

// A preview is an app of its own, <app>--<slug>, built from one branch of
// its parent app and recorded in the PreviewStore. Everything an app has
// (host, containers, releases, config, logs, routes, certificates) it has
// through the ordinary app rules; this file holds what makes it a preview.
//
// Preview releases never count as production deploys: they are releases of
// the preview's own app, which FindPreview knows while it lives and which
// takes its releases and events with it when destroyed, and preview pushes
// are audited as AuditPreviewPush (on the parent app), never AuditPush.

// Preview defaults and bounds.
const (
	DefaultPreviewTTL = 7 * 24 * time.Hour
	MaxPreviewTTL     = 90 * 24 * time.Hour
	DefaultPreviews   = 10
	MaxPreviews       = 50
	// DefaultPreviewMemory is what each preview container may use unless
	// the server says otherwise.
	DefaultPreviewMemory = 256 << 20
	// PreviewSeparator joins a parent app's name and a branch slug; new
	// app names may not contain it, so a preview never takes an app's host.
	PreviewSeparator = "--"
)

// Audit actions of previews; a preview push is audited as AuditPreviewPush,
// never as AuditPush, so it does not count as a production deploy.
const (
	AuditPreviewsEnable  = "previews.enable"
	AuditPreviewsDisable = "previews.disable"
	AuditPreviewPush     = "preview.push"
	AuditPreviewDestroy  = "preview.destroy"
	AuditConfigFlags     = "config.flags"
)

// Event kinds of previews.
const (
	EventPreviewCreated   = "preview.created"
	EventPreviewDestroyed = "preview.destroyed"
	EventPreviewExpired   = "preview.expired"
)

// PreviewSettings says that an app has previews and how they behave.
type PreviewSettings struct {
	App string
	// TTL is how long a preview lives after its last push.
	TTL time.Duration
	// Max is how many previews the app may have at once.
	Max int
	// AuthUser and AuthHash, when set, are the basic-auth credentials
	// (bcrypt hash) every preview of the app requires.
	AuthUser string
	AuthHash string
	// UpdatedAt is set by the store.
	UpdatedAt time.Time
}

// Preview is one branch of an app deployed as an app of its own.
type Preview struct {
	// Name is the preview's app name, <parent>--<slug>.
	Name   string
	App    string
	Branch string
	// Commit is the last commit deployed (or being deployed).
	Commit    string
	CreatedAt time.Time
	// PushedAt is when the branch was last pushed; the TTL counts from it.
	PushedAt time.Time
	// ExpiresAt is PushedAt plus the app's TTL (filled in by the engine).
	ExpiresAt time.Time
	// URL is where the preview answers (filled in by the engine).
	URL string
}

// PreviewStore keeps preview settings, previews and the config rules that
// shape a preview's config. Unknown apps are ENOTFOUND.
type PreviewStore interface {
	// PreviewSettings returns app's settings, ENOTFOUND when previews are
	// not enabled.
	PreviewSettings(ctx context.Context, app string) (*PreviewSettings, error)
	// SetPreviewSettings enables previews of s.App or replaces the settings.
	SetPreviewSettings(ctx context.Context, s *PreviewSettings) error
	// DeletePreviewSettings disables previews of app; not an error if they were off.
	DeletePreviewSettings(ctx context.Context, app string) error
	// CreatePreview records that the existing app p.Name is the preview of
	// p.Branch of p.App, setting CreatedAt and PushedAt. A branch that has
	// a preview already is ECONFLICT.
	CreatePreview(ctx context.Context, p *Preview) error
	// FindPreview returns the preview whose app is name, ENOTFOUND if name
	// is not a preview.
	FindPreview(ctx context.Context, name string) (*Preview, error)
	// FindPreviewOf returns the preview of app's branch, ENOTFOUND if none.
	FindPreviewOf(ctx context.Context, app, branch string) (*Preview, error)
	// ListPreviews returns app's previews ("" for every app's), the least
	// recently pushed first.
	ListPreviews(ctx context.Context, app string) ([]*Preview, error)
	// TouchPreview records a push of commit to the preview name at time at.
	TouchPreview(ctx context.Context, name, commit string, at time.Time) error
	// ProductionOnlyKeys returns the config keys of app that previews never get.
	ProductionOnlyKeys(ctx context.Context, app string) ([]string, error)
	// MarkProductionOnly marks keys of app production-only (on) or not.
	MarkProductionOnly(ctx context.Context, app string, keys []string, on bool) error
	// PreviewVars returns the config new previews of app start with on top
	// of the app's; empty when none is set. Values are secrets.
	PreviewVars(ctx context.Context, app string) (map[string]string, error)
	// SetPreviewVars replaces them.
	SetPreviewVars(ctx context.Context, app string, vars map[string]string) error
}
