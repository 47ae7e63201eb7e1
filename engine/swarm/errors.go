package swarm

import "github.com/quayside/quayside/engine"

// isNotFound reports an engine ENOTFOUND.
func isNotFound(err error) bool { return engine.ErrorCode(err) == engine.ENOTFOUND }
