package cnb

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// steps rewrites the lifecycle's output into Heroku-style steps for the
// pusher: one line per phase instead of the lifecycle's lines per layer,
// label and image name, with the time a phase took when it took a while.
// What buildpacks print, warnings and errors pass through unchanged.
//
//	-----> Detected quayside/python 0.1.0, quayside/procfile 0.1.0
//	-----> Restored 2 layers from the build cache
//	---> Python 3.11.2                     (the buildpacks' own lines)
//	-----> Built in 3.1 s
//	-----> Exported the image: 2 layers added, 5 reused (1.2 s)
//
// It is not safe for concurrent use; output serialises its calls.
type steps struct {
	now      func() time.Time
	phase    string // the lifecycle phase running, lower case; "" before the first
	started  time.Time
	detected []string // the buildpacks of the group that passed detection
	restored int      // layers restored from the cache
	added    int      // image layers the exporter added
	reused   int      // image layers the exporter reused
	inImages bool     // after "*** Images", whose indented names follow
}

// slowStep is how long a phase runs before its line shows the time.
const slowStep = time.Second

var (
	// phaseHeader is the line that starts a lifecycle phase.
	phaseHeader = regexp.MustCompile(`^===> ([A-Z]+)\s*$`)
	// phasePrefix starts every line of a phase that runs in a container of
	// its own (untrusted builds).
	phasePrefix = regexp.MustCompile(`^\[(analyzer|detector|restorer|builder|exporter|extender)\] `)
	// detectedBuildpack is a line of the group that passed detection.
	detectedBuildpack = regexp.MustCompile(`^([a-z0-9][a-zA-Z0-9._/-]*) +([0-9][0-9A-Za-z.+-]*)$`)
)

// quietLines start lines of the lifecycle that steps summarises or that
// say nothing to a pusher, by phase.
var quietLines = map[string][]string{
	"analyzing": {"Restoring data for SBOM", "Image with name", "Previous image with name", "Restoring metadata for", "Timer:"},
	"detecting": {"Timer:"},
	"restoring": {"Restoring metadata for", "Restoring data for SBOM", "Timer:"},
	"building":  {"Timer:"},
	"exporting": {"Adding label", "Setting default process type", "Reusing cache layer", "Adding cache layer", "Timer:",
		"Saving ", "Added ", "Reusing ", "Adding ", "Restoring data for SBOM"},
}

// rewrite returns the lines to show for one line of output (none, the
// line itself, or a phase's summary).
func (s *steps) rewrite(line string) []string {
	bare := phasePrefix.ReplaceAllString(line, "")
	if m := phaseHeader.FindStringSubmatch(bare); m != nil {
		out := s.end()
		s.phase, s.started = strings.ToLower(m[1]), s.now()
		return out
	}
	if s.count(bare) || s.quiet(bare) {
		return nil
	}
	return []string{line}
}

// count records what a line says about the phase, and reports whether the
// summary says it instead.
func (s *steps) count(line string) bool {
	switch {
	case s.phase == "detecting" && strings.HasSuffix(line, "buildpacks participating"):
		return true
	case s.phase == "detecting" && detectedBuildpack.MatchString(line):
		s.detected = append(s.detected, detectedBuildpack.ReplaceAllString(line, "$1 $2"))
		return true
	case s.phase == "restoring" && strings.HasPrefix(line, "Restoring data for ") && strings.HasSuffix(line, " from cache"):
		s.restored++
		return true
	case s.phase == "exporting" && strings.HasPrefix(line, "Adding layer "):
		s.added++
		return true
	case s.phase == "exporting" && strings.HasPrefix(line, "Reusing layer "):
		s.reused++
		return true
	case s.phase == "exporting" && strings.HasPrefix(line, "*** Images"):
		s.inImages = true
		return true
	case s.inImages && strings.HasPrefix(line, " "):
		return true
	}
	s.inImages = false
	return false
}

// quiet reports whether line is one the pusher need not see.
func (s *steps) quiet(line string) bool {
	for _, q := range quietLines[s.phase] {
		if strings.HasPrefix(line, q) {
			return true
		}
	}
	return false
}

// end returns the summary of the phase that is ending.
func (s *steps) end() []string {
	took := s.now().Sub(s.started)
	switch s.phase {
	case "detecting":
		if len(s.detected) > 0 {
			return []string{"-----> Detected " + strings.Join(s.detected, ", ") + slow(took)}
		}
	case "restoring":
		if s.restored > 0 {
			return []string{fmt.Sprintf("-----> Restored %s from the build cache%s", plural(s.restored, "layer"), slow(took))}
		}
	case "building":
		return []string{"-----> Built in " + seconds(took)}
	case "exporting":
		return []string{fmt.Sprintf("-----> Exported the image: %s added, %d reused (%s)", plural(s.added, "layer"), s.reused, seconds(took))}
	}
	return nil
}

// finish ends the last phase; later lines are shown as they are.
func (s *steps) finish() []string {
	out := s.end()
	s.phase = ""
	return out
}

// slow is " (N.N s)" for a phase that took slowStep or more, else "".
func slow(d time.Duration) string {
	if d < slowStep {
		return ""
	}
	return " (" + seconds(d) + ")"
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
