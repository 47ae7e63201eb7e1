package logs

import (
	"context"
	"slices"

	"github.com/quayside/quayside/engine"
)

// Query implements engine.LogStore: the lines q selects, oldest first,
// including lines appended but not yet written to disk (lines the disk
// queue dropped are not stored). It reads segments newest first and stops
// as soon as it has Tail lines, so a small Tail reads only the newest
// segment or two; a Since query skips segments whose lines are all older.
// An invalid q yields *engine.Error EINVALID; an app with no history yields
// no lines. Each returned line's Seq is unique; to follow on without a gap,
// see QueryFollow and FollowAfter.
func (s *Store) Query(ctx context.Context, q engine.LogQuery) ([]engine.LogLine, error) {
	if err := s.validateQuery(q); err != nil {
		return nil, err
	}
	done, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer done()
	a := s.findApp(q.App)
	if a == nil {
		return []engine.LogLine{}, nil
	}
	a.mu.Lock()
	snap := a.snapshot(q)
	a.mu.Unlock()
	return s.read(ctx, a, snap, q)
}

// snapshot is what a query reads: the segments as published, and the lines
// not yet published, which are the ones after through.
type snapshot struct {
	segs    []segment
	through uint64
	mem     []engine.LogLine // matching, oldest first
}

// snapshot captures the app's history for q. The caller holds a.mu.
func (a *appLog) snapshot(q engine.LogQuery) snapshot {
	snap := snapshot{through: a.flushedSeq, segs: make([]segment, len(a.segs))}
	for i, seg := range a.segs {
		snap.segs[i] = *seg
	}
	m := newMatcher(q)
	for _, batch := range [][]engine.LogLine{a.inflight, a.pending} {
		for _, l := range batch {
			if m.line(&l) {
				snap.mem = append(snap.mem, l)
			}
		}
	}
	return snap
}

// read collects the lines q selects from snap, newest segment first.
func (s *Store) read(ctx context.Context, a *appLog, snap snapshot, q engine.LogQuery) ([]engine.LogLine, error) {
	chunks := [][]engine.LogLine{snap.mem}
	n := len(snap.mem)
	m := newMatcher(q)
	for i := len(snap.segs) - 1; i >= 0; i-- {
		if q.Tail > 0 && n >= q.Tail {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seg := snap.segs[i]
		if seg.span.known && seg.span.maxTime < m.since {
			continue
		}
		lines, err := s.readLines(a, seg, m, snap.through, q.Tail-n)
		if err != nil {
			return nil, err
		}
		chunks = append(chunks, lines)
		n += len(lines)
	}
	return assemble(chunks, q.Tail), nil
}

// assemble joins chunks given newest first into one slice, oldest first,
// keeping the last tail lines (all if tail is 0).
func assemble(chunks [][]engine.LogLine, tail int) []engine.LogLine {
	slices.Reverse(chunks)
	out := slices.Concat(chunks...)
	if out == nil {
		out = []engine.LogLine{}
	}
	if tail > 0 && len(out) > tail {
		out = out[len(out)-tail:]
	}
	return out
}

// readLines returns the lines of one segment that m selects, with Seq up to
// through, the last need of them if need > 0. It records the segment's time
// span for later queries.
func (s *Store) readLines(a *appLog, seg segment, m matcher, through uint64, need int) ([]engine.LogLine, error) {
	b, err := s.readSegment(a.name, seg.first, seg.size)
	if err != nil || b == nil {
		return nil, err
	}
	var picked [][]byte
	var sp span
	end, damaged, _ := scan(b, func(p []byte, _ int) error {
		k, err := decodeKey(p)
		if err != nil {
			return nil
		}
		sp.add(k.time)
		if k.seq <= through && m.key(&k) {
			picked = append(picked, p)
		}
		return nil
	})
	if damaged && a.firstDamage(seg.first) {
		s.log.Warn("skipped the damaged end of a log segment", "app", a.name, "segment", segName(seg.first), "offset", end)
	}
	if !seg.span.known {
		a.learnSpan(seg.first, sp)
	}
	if need > 0 && len(picked) > need {
		picked = picked[len(picked)-need:]
	}
	return decodeAll(a.name, picked), nil
}

// decodeAll decodes payloads into lines, skipping any that do not decode.
func decodeAll(app string, payloads [][]byte) []engine.LogLine {
	lines := make([]engine.LogLine, 0, len(payloads))
	for _, p := range payloads {
		if l, err := decodeLine(app, p); err == nil {
			lines = append(lines, l)
		}
	}
	return lines
}

// learnSpan remembers the time span of a sealed segment.
func (a *appLog) learnSpan(first uint64, sp span) {
	if !sp.known {
		sp = emptySpan
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, seg := range a.segs {
		if seg.first == first && i < len(a.segs)-1 && !seg.span.known {
			seg.span = sp
		}
	}
}

// firstDamage reports whether damage in the segment is news, so that it is
// logged once.
func (a *appLog) firstDamage(first uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.damaged == nil {
		a.damaged = map[uint64]bool{}
	}
	news := !a.damaged[first]
	a.damaged[first] = true
	return news
}

// matcher is the filter of a query or follower.
type matcher struct {
	since   int64
	process string
}

func newMatcher(q engine.LogQuery) matcher {
	return matcher{since: sinceNanos(q.Since), process: q.Process}
}

// line reports whether m selects l.
func (m matcher) line(l *engine.LogLine) bool {
	return l.Time.UnixNano() >= m.since && (m.process == "" || l.Process == m.process)
}

// key reports whether m selects the record of k.
func (m matcher) key(k *recordKey) bool {
	return k.time >= m.since && (m.process == "" || string(k.process) == m.process)
}
