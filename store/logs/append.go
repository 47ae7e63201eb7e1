package logs

import (
	"math/bits"
	"time"

	"github.com/quayside/quayside/engine"
)

// Append implements engine.LogStore. It cleans and numbers the lines, hands
// them to the app's followers and queues them for disk, without waiting for
// either. Lines of an invalid app name are refused (counted in
// Stats.Rejected); a line without a Time, or with one outside 1970-2200, is
// stamped with Options.Now. After Close, Append does nothing.
func (s *Store) Append(lines ...engine.LogLine) {
	for len(lines) > 0 {
		n := 1
		for n < len(lines) && lines[n].App == lines[0].App {
			n++
		}
		s.appendApp(lines[:n])
		lines = lines[n:]
	}
	s.kick()
}

// appendApp appends lines that all belong to one app.
func (s *Store) appendApp(lines []engine.LogLine) {
	name := lines[0].App
	if validApp(name) != nil {
		s.reject(name, len(lines))
		return
	}
	if a := s.app(name); a != nil {
		a.append(s, s.clean(lines))
	}
}

// reject counts lines refused for an invalid app name and logs it, less
// often as it repeats.
func (s *Store) reject(app string, n int) {
	total := s.totals.rejected.Add(uint64(n))
	if bits.Len64(total-uint64(n)) != bits.Len64(total) {
		s.log.Warn("log lines with an invalid app name were refused", "app", app, "lines", total)
	}
}

// clean returns the lines as they are stored: text cleaned and split,
// labels bounded, time set.
func (s *Store) clean(lines []engine.LogLine) []engine.LogLine {
	out := make([]engine.LogLine, 0, len(lines))
	for _, l := range lines {
		l.Process, l.Stream = cleanLabel(l.Process), cleanLabel(l.Stream)
		if y := l.Time.Year(); l.Time.IsZero() || y < 1970 || y > 2200 {
			l.Time = s.opts.Now()
		}
		l.Time = l.Time.UTC()
		for _, text := range splitText(l.Text) {
			l.Text = text
			out = append(out, l)
		}
	}
	return out
}

// sinceNanos returns the bound of a Since filter, or the lowest time when
// there is none.
func sinceNanos(t time.Time) int64 {
	if t.IsZero() {
		return -1 << 63
	}
	return t.UnixNano()
}
