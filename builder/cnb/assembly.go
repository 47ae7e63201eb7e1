package cnb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/quayside/quayside/engine"
)

// An assembly is what scripts/make-builder.sh says about the offline
// builder it is making, in the status file it keeps up to date when
// QUAYSIDE_BUILDER_STATUS names one (make run puts it in the data dir and
// the server reads it as Config.BuilderStatus). The file holds key=value
// lines: state (assembling, ready or failed), step (the step being done,
// or the failure), started (Unix seconds) and estimate (the expected total
// in seconds, 0 when not known).
type assembly struct {
	state    string
	step     string
	started  time.Time
	estimate time.Duration
}

const (
	// maxAssemblyFile bounds what is read of the status file: the script
	// writes about 200 bytes.
	maxAssemblyFile = 4 << 10
	// maxAssemblyStep bounds the step shown to a push, in runes.
	maxAssemblyStep = 200
	// assemblyGrace is how long past its estimate (or since its start,
	// without one) an assembly is believed still to be running; after that
	// the status file is taken to be left by a make builder that was killed.
	assemblyGrace = 30 * time.Minute
)

// readAssembly reads the status file at path. ok is false when there is
// none, or it is not a regular file, is larger than maxAssemblyFile, is
// malformed, or says an assembly is running that would have ended long ago.
// It never blocks on a FIFO or device put in the file's place.
func readAssembly(path string, now time.Time) (a assembly, ok bool) {
	if path == "" {
		return assembly{}, false
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxAssemblyFile {
		return assembly{}, false
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return assembly{}, false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return assembly{}, false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxAssemblyFile+1))
	if err != nil || len(data) > maxAssemblyFile {
		return assembly{}, false
	}
	return parseAssembly(data, now)
}

// parseAssembly parses the status file's contents; see readAssembly.
func parseAssembly(data []byte, now time.Time) (a assembly, ok bool) {
	var started, estimate int64 = -1, -1
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, found := strings.Cut(sc.Text(), "=")
		if !found {
			continue
		}
		switch key {
		case "state":
			a.state = val
		case "step":
			a.step = printable(val, maxAssemblyStep)
		case "started":
			started, _ = strconv.ParseInt(val, 10, 64)
		case "estimate":
			estimate, _ = strconv.ParseInt(val, 10, 64)
		}
	}
	switch {
	case a.state != "assembling" && a.state != "ready" && a.state != "failed":
		return assembly{}, false
	case started <= 0 || estimate < 0 || estimate > 24*3600:
		return assembly{}, false
	}
	a.started = time.Unix(started, 0)
	a.estimate = time.Duration(estimate) * time.Second
	if a.started.After(now.Add(time.Minute)) {
		return assembly{}, false
	}
	if a.state == "assembling" && now.After(a.started.Add(a.estimate+assemblyGrace)) {
		return assembly{}, false
	}
	return a, true
}

// printable returns s with what a terminal or log would interpret
// (control characters, escape sequences' introducers) dropped and at most
// max runes kept.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if !unicode.IsPrint(r) {
			continue
		}
		if n == max {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// notReady returns the error a build gets while the offline builder img is
// missing and the status file says make builder is assembling it or has
// failed; nil when it says neither (the caller's own message then applies).
func (a assembly) notReady(img string, now time.Time) error {
	switch a.state {
	case "assembling":
		return engine.Errorf(engine.EUNAVAILABLE,
			"The offline builder %s is being assembled by make builder (%s)%s. "+
				"Push again then; an app with a Dockerfile deploys now, without it. "+
				"Its progress shows in the output of make run (and builder.log in the data dir).",
			img, a.step, a.progress(now))
	case "failed":
		return engine.Errorf(engine.EUNAVAILABLE,
			"The offline builder %s is not in the Docker daemon: make builder failed (%s). "+
				"Its output (make run's, and builder.log in the data dir) says why; fix that and run make builder or make run again. "+
				"An app with a Dockerfile deploys without it.",
			img, a.step)
	}
	return nil
}

// progress says how far an assembly is: ", N% done, ready in about M
// minutes", or that it is taking longer than estimated.
func (a assembly) progress(now time.Time) string {
	if a.estimate <= 0 {
		return ""
	}
	elapsed := now.Sub(a.started)
	if elapsed < 0 {
		elapsed = 0
	}
	if elapsed >= a.estimate {
		return fmt.Sprintf(", taking longer than estimated (%s); ready soon", minutes(a.estimate))
	}
	pct := int(100 * elapsed / a.estimate)
	return fmt.Sprintf(", %d%% done, ready in %s", pct, minutes(a.estimate-elapsed))
}

// minutes says d in whole minutes, rounded up: "about 3 minutes".
func minutes(d time.Duration) string {
	if m := wholeMinutes(d); m > 1 {
		return fmt.Sprintf("about %d minutes", m)
	}
	return "about 1 minute"
}

// wholeMinutes is d in minutes, rounded up.
func wholeMinutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

// assemblyError returns the error a build gets while the offline builder
// img is missing, when Config.BuilderStatus says make builder is assembling
// it or failed to; nil when it says neither.
func (b *Builder) assemblyError(img string) error {
	now := time.Now()
	a, ok := readAssembly(b.cfg.BuilderStatus, now)
	if !ok {
		return nil
	}
	return a.notReady(img, now)
}
