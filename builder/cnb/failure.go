package cnb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockercause"
)

// Exit statuses of the lifecycle that mean no buildpack detected the app
// (the second: and a detection failed with an error).
const (
	exitFailedDetect           = 20
	exitFailedDetectWithErrors = 21
)

// exitStatusRe finds the lifecycle's exit status in pack's error.
var exitStatusRe = regexp.MustCompile(`failed with status code: (\d+)`)

// packError is pack's build failing, with what the message about it needs.
type packError struct {
	err     error
	builder string
	info    builderInfo
}

func (e *packError) Error() string { return "pack build: " + e.err.Error() }
func (e *packError) Unwrap() error { return e.err }

// packFailure is the user's error for pack's build failing: the daemon
// unreachable, a server resource exhausted (dockercause), no buildpack
// recognising the app, or the lifecycle phase that failed.
func (b *Builder) packFailure(pe *packError, out *output) error {
	if client.IsErrConnectionFailed(pe.err) {
		return b.wrap("build", pe.err)
	}
	if e := dockercause.Explain("the buildpacks build", pe); e != nil {
		return e
	}
	status, ok := exitStatus(pe.err)
	switch {
	case ok && (status == exitFailedDetect || status == exitFailedDetectWithErrors):
		return noBuildpack(pe.builder, pe.info, detectLines(out.Lines()), status == exitFailedDetectWithErrors)
	case ok:
		return failed(fmt.Sprintf("%s (lifecycle exit status %d)", phaseFailure(status), status), out.Tail(tailLines))
	default:
		return failed("the build could not run: "+firstLine(pe.err.Error(), 300), out.Tail(tailLines))
	}
}

// exitStatus returns the lifecycle's exit status in err, if it has one.
func exitStatus(err error) (int, bool) {
	m := exitStatusRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	n, convErr := strconv.Atoi(m[1])
	return n, convErr == nil
}

// phaseFailure says which part of the lifecycle failed, by its exit status
// (the lifecycle's platform exit codes: 20s detect, 30s analyze, 40s
// restore, 50s build, 60s export).
func phaseFailure(status int) string {
	switch {
	case status >= 20 && status < 30:
		return "the buildpacks' detection failed"
	case status >= 30 && status < 40:
		return "analysing the previous image failed"
	case status >= 40 && status < 50:
		return "restoring the build cache failed"
	case status == 51:
		return "a buildpack failed to build the app"
	case status >= 50 && status < 60:
		return "the build step failed"
	case status >= 60 && status < 70:
		return "exporting the image failed"
	default:
		return "the buildpacks lifecycle failed"
	}
}

// failed is the EDEPLOYFAILED error of a build that ran and failed.
func failed(reason, tail string) *engine.Error {
	msg := "buildpacks: " + reason
	if tail != "" {
		msg += "\n\nLast lines of the build output:\n" + tail
	}
	return engine.Errorf(engine.EDEPLOYFAILED, "%s", msg)
}

// noBuildpack is the EINVALID error of an app no buildpack recognised: it
// lists what each buildpack of the builder looks for and what their
// detection printed.
func noBuildpack(builder string, info builderInfo, detected []string, withErrors bool) *engine.Error {
	var b strings.Builder
	fmt.Fprintf(&b, "no buildpack of the builder %s recognised this app, so Quayside cannot tell how to build it", builder)
	if withErrors {
		b.WriteString(" (and a buildpack's detection failed with an error)")
	}
	b.WriteString(".")
	if len(info.Buildpacks) > 0 {
		b.WriteString("\nIts buildpacks look for:")
		for _, bp := range info.Buildpacks {
			b.WriteString("\n  - " + bp.describe())
		}
	}
	if len(detected) > 0 {
		b.WriteString("\nTheir detection said:\n  " + strings.Join(detected, "\n  "))
	}
	b.WriteString("\nAdd what one of them looks for (or a Dockerfile) to the repository and push again.")
	return engine.Errorf(engine.EINVALID, "%s", b.String())
}

// maxDetectLines caps the detection report in the message.
const maxDetectLines = 30

// detectLines returns what the detection printed since the lifecycle
// announced it: each line once, without blank lines, the lifecycle's
// section rules, and its advice about the path (which is pack's app
// directory, not the user's); at most maxDetectLines, the last ones.
func detectLines(lines []string) []string {
	start := 0
	for i, l := range lines {
		if strings.Contains(l, "DETECTING") {
			start = i + 1
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range lines[start:] {
		l = strings.TrimRight(l, " ")
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "========") || strings.Contains(l, "running against the correct path") || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out[max(0, len(out)-maxDetectLines):]
}

// isNotFound reports whether a Docker error means the object is missing.
func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }
