package engine

import (
	"context"
	"time"
)

// MaxPushCommits caps the commits recorded for one push: a push that brings
// more (a first push of a long history, a merge of a long-lived branch)
// records the newest MaxPushCommits.
const MaxPushCommits = 500

// Commit is one commit a push brought to production, as the delivery
// figures need it.
type Commit struct {
	SHA string
	// Committed is the committer date, Authored the author date.
	Committed time.Time
	Authored  time.Time
	// Parents is the number of parents: 2 or more for a merge.
	Parents int
}

// CommitLog is what a Source may also do: list the history of its commit.
// Sources that cannot leave the pushed commits unrecorded.
type CommitLog interface {
	// Commits returns up to limit commits reachable from the source's commit
	// and from none of exclude, newest first, merges included (git rev-list
	// commit --not exclude...). Exclusions the repository does not have are
	// ignored; when exclude is not empty and the repository has none of
	// them, it returns *Error ENOTFOUND rather than the whole history.
	Commits(ctx context.Context, exclude []string, limit int) ([]Commit, error)
}

// IncidentCrashLoop is the kind of incident recorded when a release's
// process crash-loops.
const IncidentCrashLoop = "crash_loop"

// InsightsStore keeps the facts the delivery figures need beyond the
// releases themselves.
type InsightsStore interface {
	// SaveReleaseCommits records the commits release number of app brought,
	// replacing any recorded before. ENOTFOUND for a missing release.
	SaveReleaseCommits(ctx context.Context, app string, number int, commits []Commit) error
	// AddReleaseIncident records that release number of app showed a
	// failure of kind (IncidentCrashLoop) at the given time.
	AddReleaseIncident(ctx context.Context, app string, number int, kind string, at time.Time) error
	// ReleaseFacts returns every release of every app created at or after
	// since, in no particular order, with its commits and incidents.
	ReleaseFacts(ctx context.Context, since time.Time) ([]*ReleaseFacts, error)
}

// ReleaseFacts is a release with what happened to it.
type ReleaseFacts struct {
	Release   Release
	Commits   []Commit
	Incidents []Incident
}

// Incident is a sign that a live release fails.
type Incident struct {
	Kind string
	At   time.Time
}
