package logs

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// load recovers every app's history from the data dir.
func (s *Store) load() error {
	entries, err := s.readDir(".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, trashPrefix):
			if err := s.root.RemoveAll(name); err != nil {
				s.log.Warn("cannot delete the logs of a removed app", "dir", name, "err", err)
			}
		case e.IsDir() && validApp(name) == nil:
			if err := s.loadApp(name); err != nil {
				return err
			}
		default:
			s.log.Warn("ignoring an unexpected entry in the log dir", "name", name)
		}
	}
	return nil
}

// readDir lists a directory of the data dir.
func (s *Store) readDir(name string) ([]fs.DirEntry, error) {
	d, err := s.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open log dir: %w", err)
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("list log dir: %w", err)
	}
	return entries, nil
}

// loadApp recovers one app: its segments, the tail of the newest one, its
// next Seq and its recent lines.
func (s *Store) loadApp(name string) error {
	segs, err := s.listSegments(name)
	if err != nil {
		return err
	}
	a := newAppLog(name, s.opts)
	a.segs = segs
	if len(segs) > 0 {
		if err := s.recoverTail(a, segs[len(segs)-1]); err != nil {
			return err
		}
	}
	s.trimToCap(a)
	s.apps[name] = a
	return nil
}

// listSegments returns the app's segment files, oldest first, with their
// sizes. Anything else in the directory is ignored.
func (s *Store) listSegments(app string) ([]*segment, error) {
	entries, err := s.readDir(app)
	if err != nil {
		return nil, err
	}
	var segs []*segment
	for _, e := range entries {
		first, ok := parseSegName(e.Name())
		if !ok || !e.Type().IsRegular() {
			s.log.Warn("ignoring an unexpected file in the log dir", "app", app, "name", e.Name())
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat log segment: %w", err)
		}
		segs = append(segs, &segment{first: first, size: info.Size()})
	}
	slices.SortFunc(segs, func(x, y *segment) int { return cmp.Compare(x.first, y.first) })
	return segs, nil
}

// recoverTail scans the newest segment: it cuts a torn or damaged end,
// learns the segment's span, the app's next Seq and its recent lines.
func (s *Store) recoverTail(a *appLog, seg *segment) error {
	b, err := s.readSegment(a.name, seg.first, seg.size)
	if err != nil {
		return err
	}
	var payloads [][]byte
	last, sp := max(seg.first, 1)-1, emptySpan
	end, damaged, _ := scan(b, func(p []byte, _ int) error {
		if k, err := decodeKey(p); err == nil {
			last = max(last, k.seq)
			sp.add(k.time)
			payloads = append(payloads, p)
		}
		return nil
	})
	if damaged || int64(end) < seg.size {
		if err := s.cutTail(a.name, seg, int64(end)); err != nil {
			return err
		}
	}
	seg.span = sp
	a.nextSeq, a.flushedSeq = max(last+1, 1), last
	keep := payloads[max(0, len(payloads)-s.opts.FollowerBuffer):]
	for _, l := range decodeAll(a.name, keep) {
		a.remember(l)
	}
	return nil
}

// cutTail truncates a segment to its whole records after a crash.
func (s *Store) cutTail(app string, seg *segment, end int64) error {
	s.log.Warn("cut a torn record from the end of an app's logs (left by a crash)",
		"app", app, "segment", segName(seg.first), "bytes", seg.size-end)
	f, err := s.root.OpenFile(segPath(app, seg.first), os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open log segment: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(end); err != nil {
		return fmt.Errorf("truncate log segment: %w", err)
	}
	seg.size = end
	return nil
}

// trimToCap deletes the oldest segments of a history loaded from disk while
// it exceeds the cap (which may have been lowered since it was written).
func (s *Store) trimToCap(a *appLog) {
	var total int64
	for _, seg := range a.segs {
		total += seg.size
	}
	for total > s.opts.MaxBytesPerApp && len(a.segs) > 1 {
		total -= a.segs[0].size
		s.removeSegment(a.name, a.segs[0].first)
		a.segs = a.segs[1:]
	}
}
