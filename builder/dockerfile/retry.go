package dockerfile

import (
	"context"
	"errors"
	"io"
	"regexp"

	"github.com/quayside/quayside/engine"
)

// buildAttempts bounds the builds one request runs: the first, and one more
// when Docker removed an image the first was using.
const buildAttempts = 2

// retryNote is the line the push output gets before the build runs again.
const retryNote = "-----> Docker removed an image this build was using (another cleanup ran at the same time): building again without the cache"

// lostImageRe matches the daemon's errors for an intermediate image (one
// named by its ID) that vanished during the build: the classic builder does
// not protect the images of its own steps, so an image removal or prune on
// the same daemon can remove them between two steps (moby/moby#29011).
// Engine 20.10.24 was seen to say, with "docker rmi" of the image a build
// reused from its cache running alongside:
//
//	failed to get digest sha256:<id>: open /var/lib/docker/image/overlay2/imagedb/content/sha256/<id>: no such file or directory
//
// and other releases and timings say "unable to find image "sha256:<id>"",
// "No such image: sha256:<id>" or "failed to get destination image
// "sha256:<id>"". Images named by a reference ("No such image: alpine:3")
// are not matched: they are the Dockerfile's own doing.
var lostImageRe = regexp.MustCompile(`(?i)unable to find image "?sha256:|no such image: sha256:|` +
	`failed to get digest sha256:|failed to get destination image "?sha256:`)

// lostImage is the error of a build that failed only because the daemon
// could not find one of the build's intermediate images.
type lostImage struct {
	failure string // the daemon's error
	tail    string // the last lines of the build output
}

func (e *lostImage) Error() string { return "build lost an intermediate image: " + e.failure }

// lostIntermediate reports whether a daemon's build error says it could not
// find an intermediate image.
func lostIntermediate(failure string) bool {
	return lostImageRe.MatchString(failure)
}

// buildRetrying runs build, and runs it once more, with the build context
// archived again from the source, when the daemon lost an intermediate
// image; a note in req.Output says why. The second build uses no cached
// step: the cache's images are what was being removed, and a removal still
// under way (Docker removes a chain of images one by one) would make a
// build walking the cache lose an image again. Any other outcome is
// returned as it is. When the second build loses an image too the error
// is EUNAVAILABLE: the server, not the Dockerfile, is at fault.
func (b *Builder) buildRetrying(ctx context.Context, req engine.BuildRequest, args map[string]*string) (string, error) {
	for attempt := 1; ; attempt++ {
		id, err := b.build(ctx, req, args)
		var lost *lostImage
		if !errors.As(err, &lost) {
			return id, err
		}
		b.log.Warn("docker removed an image the build was using", "app", req.App, "release", req.Release, "attempt", attempt, "err", lost.failure)
		if attempt >= buildAttempts {
			return "", lostAgain(lost, attempt)
		}
		note(req.Output, retryNote)
		req.ClearCache = true
	}
}

// lostAgain is the error of the last build that lost an image.
func lostAgain(lost *lostImage, attempts int) error {
	msg := "the Dockerfile build failed %d times because Docker removed an image the build was using while it ran: " +
		"something else on this server removed Docker images at the same time (Quayside's image cleanup, another app's deploy, " +
		"or a docker image prune/rmi run by hand or by a scheduled job). Nothing is wrong with the Dockerfile: push again, " +
		"and if it keeps happening stop the job that removes images while builds run"
	if lost.tail != "" {
		msg += "\n\nLast lines of the build output:\n" + lost.tail
	}
	return engine.Wrapf(errors.New(lost.failure), engine.EUNAVAILABLE, msg, attempts)
}

// note writes one line to w and flushes it; a nil w discards.
func note(w io.Writer, line string) {
	if w == nil {
		return
	}
	if _, err := io.WriteString(w, line+"\n"); err == nil {
		engine.Flush(w)
	}
}
