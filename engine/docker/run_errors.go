package docker

import (
	"strings"

	"github.com/quayside/quayside/engine"
)

// Exit codes of a one-off whose command never ran, as docker run gives them.
const (
	exitStartFailed = 125 // Docker could not start the container
	exitCannotExec  = 126 // the command is not executable
	exitNotFound    = 127 // the command does not exist
)

// startFailed is Run's result when Docker refused to start the container:
// the exit code docker run gives and an error in plain words.
func (r *Runtime) startFailed(err error) (int, error) {
	if wrapped := r.wrap("start container", err); isExplained(wrapped) {
		return -1, wrapped
	}
	msg := dockerMessage(err)
	switch code := startFailureCode(msg); code {
	case exitStartFailed:
		return code, engine.Errorf(engine.EDEPLOYFAILED, "Docker could not start the container: %s", msg)
	default:
		return code, engine.Errorf(engine.EINVALID,
			"cannot run the command: %s; check the command, and that the image has it and it is executable", msg)
	}
}

// isExplained reports whether wrap recognised err as a cause of its own
// (daemon unreachable, a resource exhausted, the image gone) rather than a
// problem of the command.
func isExplained(err error) bool {
	code := engine.ErrorCode(err)
	return code == engine.EUNAVAILABLE || code == engine.EDEPLOYFAILED
}

// startFailureCode classifies a start error message as docker run does.
func startFailureCode(msg string) int {
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return exitNotFound
	case strings.Contains(msg, "permission denied"):
		return exitCannotExec
	default:
		return exitStartFailed
	}
}

// dockerMessage reduces a daemon error to the part a person can act on:
// no "Error response from daemon", no OCI runtime preamble, no ": unknown".
func dockerMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "Error response from daemon: ")
	for _, marker := range []string{"unable to start container process: ", "starting container process caused: "} {
		if _, after, ok := strings.Cut(msg, marker); ok {
			msg = after
		}
	}
	return strings.TrimSuffix(msg, ": unknown")
}

// lowerFirst lowercases the first letter of an OS error message.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
