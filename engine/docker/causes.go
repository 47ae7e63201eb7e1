package docker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockercause"
)

// steps names, in the words of a person, the Docker operation a verb of
// wrap stands for; verbs missing here are shown as they are.
var steps = map[string]string{
	"create network":   "creating the app network",
	"inspect network":  "looking up the app network",
	"create container": "creating the container",
	"start container":  "starting the container",
	"inspect image":    "looking up the image",
	"remove container": "removing the container",
	"remove network":   "removing the app network",
	"remove image":     "removing the image",
}

// explain turns a daemon error met while doing verb into an *engine.Error
// that says which step failed, why, and what to do, wrapping err so logs
// and release output keep the daemon's own text as "verb: err". It
// returns nil for errors that are not the daemon's (a cancelled context).
func explain(verb string, err error) *engine.Error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	step, tech := stepOf(verb), fmt.Errorf("%s: %w", verb, err)
	if e := dockercause.Explain(step, tech); e != nil {
		return e
	}
	if isNotFound(err) {
		return engine.Wrapf(tech, engine.ENOTFOUND, "%s failed: %s", step, dockerMessage(err))
	}
	return engine.Wrapf(tech, engine.EINTERNAL, "%s failed: Docker said: %s", step, dockerMessage(err))
}

// stepOf returns the person's name of verb's step.
func stepOf(verb string) string {
	if s, ok := steps[verb]; ok {
		return s
	}
	return verb
}

// isUnreachable reports whether err says the daemon does not answer.
func isUnreachable(err error) bool {
	return client.IsErrConnectionFailed(err) || strings.Contains(err.Error(), "Cannot connect to the Docker daemon")
}
