package engine

import "io"

// PushRequest asks the engine to build and deploy one pushed commit. The
// engine decides whether the ref may deploy; a refusal or a failure means the
// push must be rejected and the ref must not move.
type PushRequest struct {
	App string
	// Ref is the full ref name being updated ("refs/heads/main").
	Ref       string
	OldCommit string
	NewCommit string
	// Author is who pushed (the SSH key name, or a user).
	Author string
	// Subject is the first line of the commit's message; it describes the
	// release. "" when unknown.
	Subject string
	Source  Source
	// Options are the push options (git push -o key[=value]).
	Options map[string]string
	// Output receives progress for the pusher as it happens.
	Output io.Writer
	// configVersion, when not 0, is the config version the release runs
	// with instead of the app's (a preview whose config was just scrubbed).
	configVersion int
}
