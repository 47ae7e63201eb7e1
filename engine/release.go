package engine

import (
	"context"
	"time"
)

// Release statuses. A release moves building -> deploying -> active, and
// later active -> retired when another release replaces it. Any step may end
// in failed; a failed release never served traffic.
const (
	ReleaseBuilding  = "building"
	ReleaseDeploying = "deploying"
	ReleaseActive    = "active"
	ReleaseRetired   = "retired"
	ReleaseFailed    = "failed"
)

// Release kinds: what made the release.
const (
	KindDeploy   = "deploy"   // a git push
	KindConfig   = "config"   // a config change on the current image
	KindRollback = "rollback" // an earlier release's image and config
	KindPromote  = "promote"  // another app's current image, this app's config
)

// Release is one numbered, immutable combination of an image and a config
// version, with the record of how it was deployed.
type Release struct {
	App    string
	Number int
	Kind   string
	Status string
	// Description is a one-line summary for listings ("Deploy 3f2a9c1").
	Description string
	// Image is the image reference the release runs (an ID or a tag).
	Image string
	// Port is the container port the app listens on; it is passed as PORT.
	Port int
	// BuildMethod is how the image was made ("dockerfile", "buildpacks").
	BuildMethod string
	// Processes are the process types the release can run; an image that
	// declares none runs its own command as web.
	Processes []Process
	// Commit is the git commit the image was built from.
	Commit string
	// Author is who caused the release (an SSH key name or a user).
	Author        string
	ConfigVersion int
	// RollbackOf is the release a rollback copies, 0 otherwise.
	RollbackOf int
	// PromotedFrom is the app (or preview) whose image a promotion
	// released, "" for other kinds; PromotedRelease is its release number.
	PromotedFrom    string
	PromotedRelease int
	// Error says why a failed release failed, including the last lines of
	// output that explain it.
	Error      string
	CreatedAt  time.Time
	FinishedAt time.Time
}

// Duration is how long the release took from creation to its end, zero
// while it is still in progress.
func (r *Release) Duration() time.Duration {
	if r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.CreatedAt)
}

// Succeeded reports whether the release ever served traffic.
func (r *Release) Succeeded() bool {
	return r.Status == ReleaseActive || r.Status == ReleaseRetired
}

// ReleaseStore persists releases. Implementations return *Error with
// ENOTFOUND for a missing app or release.
type ReleaseStore interface {
	// CreateRelease stores r, assigning the app's next release number and CreatedAt.
	CreateRelease(ctx context.Context, r *Release) error
	// UpdateRelease writes Status, Image, Port, BuildMethod, Processes, Error
	// and FinishedAt.
	UpdateRelease(ctx context.Context, r *Release) error
	// FindRelease returns one release of an app.
	FindRelease(ctx context.Context, app string, number int) (*Release, error)
	// ListReleases returns up to limit releases of an app, newest first;
	// limit <= 0 means all.
	ListReleases(ctx context.Context, app string, limit int) ([]*Release, error)
	// ReleasesUsingImage returns the releases of every app whose image is
	// one of refs (an image's ID and tags), newest first within an app.
	ReleasesUsingImage(ctx context.Context, refs []string) ([]*Release, error)
	// ActivateRelease atomically marks release number active with
	// FinishedAt=at, marks the previously active release retired, and makes
	// the app's CurrentRelease and ConfigVersion those of the release.
	ActivateRelease(ctx context.Context, app string, number int, at time.Time) error
	// FailUnfinishedReleases marks every building or deploying release failed
	// with the given reason and returns them. It runs at start-up, when no
	// deploy can be in progress.
	FailUnfinishedReleases(ctx context.Context, reason string, at time.Time) ([]*Release, error)
}
