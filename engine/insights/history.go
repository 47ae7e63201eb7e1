package insights

import "time"

// Release kinds, as the engine names them.
const (
	KindDeploy   = "deploy"
	KindConfig   = "config"
	KindRollback = "rollback"
)

// Release is one production release of an app, as the figures need it.
type Release struct {
	App    string
	Number int
	// Kind is KindDeploy, KindConfig or KindRollback.
	Kind string
	// Created is when the release was asked for (the push, the config
	// change, the rollback).
	Created time.Time
	// Finished is when it started serving (Live) or when it failed; zero
	// while it is in progress.
	Finished time.Time
	// Live reports whether the release ever served traffic.
	Live bool
	// Commits are the commits the push made newly reachable in production
	// (git rev-list prev..new), newest first; empty for config and rollback
	// releases.
	Commits []Commit
}

// Commit is one commit a push brought.
type Commit struct {
	SHA string
	// Committed is the committer date, Authored the author date.
	Committed time.Time
	Authored  time.Time
}

// Incident kinds.
const (
	IncidentCrashLoop = "crash_loop"
)

// Incident is a sign, after a release went live, that it fails: a crash loop.
type Incident struct {
	App     string
	Release int
	Kind    string
	At      time.Time
}

// History is everything Compute looks at, for one app or many. The order of
// its slices does not matter.
type History struct {
	Releases  []Release
	Incidents []Incident
}

// isChange reports whether r changes what runs: a deploy or a config
// change. A rollback returns to an earlier change and is not one.
func (r *Release) isChange() bool {
	return r.Kind == KindDeploy || r.Kind == KindConfig
}
