package logs

import (
	"context"

	"github.com/quayside/quayside/engine"
)

// Follow implements engine.LogStore: it delivers the app's lines appended
// from now on that q selects (Since and Process; Tail is ignored), in Seq
// order, until ctx ends, the app is removed or the store closes; then the
// channel closes. A follower whose reader falls more than
// Options.FollowerBuffer lines behind skips ahead, and its next delivery
// carries Missed. A slow reader never delays Append or other followers. An
// invalid q yields EINVALID.
//
// A caller that shows history first and then follows should use
// QueryFollow, or FollowAfter with the Seq of the last line it showed, so
// that no line falls between the two.
func (s *Store) Follow(ctx context.Context, q engine.LogQuery) (<-chan engine.LogDelivery, error) {
	f, _, err := s.attach(ctx, q, func(*appLog, *follower) {})
	if err != nil {
		return nil, err
	}
	return f.out, nil
}

// FollowAfter is Follow starting after the line numbered after rather than
// now: lines with a greater Seq that were appended before the call are
// delivered first, from the app's last Options.FollowerBuffer lines. If
// older lines are needed, the first delivery's Missed counts those that can
// no longer be replayed (with a process filter, lines of any process are
// counted). An after at or beyond the newest line follows from now.
//
// A reader that reconnects passes the Seq of the last line it got. After a
// Query, passing the Seq of the newest line it returned gives a gap-free,
// duplicate-free continuation as long as fewer than FollowerBuffer lines
// were appended in between; but a Query that returned no line gives no Seq
// to pass, so callers that show history first should prefer QueryFollow.
func (s *Store) FollowAfter(ctx context.Context, q engine.LogQuery, after uint64) (<-chan engine.LogDelivery, error) {
	f, _, err := s.attach(ctx, q, func(a *appLog, f *follower) { a.startAfter(f, after) })
	if err != nil {
		return nil, err
	}
	return f.out, nil
}

// QueryFollow runs Query and starts Follow at the same instant: every line
// of the app is either in the returned history or delivered on the channel,
// never both and never neither (unless the follower skips it as too slow).
// On error no follower is left behind.
func (s *Store) QueryFollow(ctx context.Context, q engine.LogQuery) ([]engine.LogLine, <-chan engine.LogDelivery, error) {
	done, err := s.begin()
	if err != nil {
		return nil, nil, err
	}
	defer done()
	var snap snapshot
	f, a, err := s.attach(ctx, q, func(a *appLog, _ *follower) { snap = a.snapshot(q) })
	if err != nil {
		return nil, nil, err
	}
	lines, err := s.read(ctx, a, snap, q)
	if err != nil {
		f.close()
		return nil, nil, err
	}
	return lines, f.out, nil
}

// attach validates q, registers a new follower of the app after calling
// setup under the app's mu, and starts its pump. The follower starts with
// the next line appended; setup may move it back.
func (s *Store) attach(ctx context.Context, q engine.LogQuery, setup func(*appLog, *follower)) (*follower, *appLog, error) {
	if err := s.validateQuery(q); err != nil {
		return nil, nil, err
	}
	a, err := s.appForFollower(q.App)
	if err != nil {
		return nil, nil, err
	}
	f := newFollower(q)
	a.mu.Lock()
	a.startNow(f)
	setup(a, f)
	if a.removed {
		f.close()
	} else {
		a.followers[f] = struct{}{}
	}
	a.mu.Unlock()
	go s.pump(ctx, a, f)
	return f, a, nil
}

// appForFollower returns the app's state and counts a pump in s.wg, unless
// the store is closed.
func (s *Store) appForFollower(name string) (*appLog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	s.wg.Add(1)
	return s.appLocked(name), nil
}

// startNow points f at the next line to be appended. The caller holds a.mu.
func (a *appLog) startNow(f *follower) {
	f.cursor, f.keyed = a.nextSeq, true
	f.lastKey = a.nextSeq - 1
	if f.m.process != "" {
		f.lastKey = a.nth[f.m.process]
	}
}

// startAfter points f at the line after the given Seq, if that line is
// already appended. Without a process filter the lines it missed are
// counted exactly; with one, by the lines of any process that are no
// longer in memory. The caller holds a.mu.
func (a *appLog) startAfter(f *follower, after uint64) {
	if after >= a.nextSeq-1 {
		return
	}
	f.cursor = after + 1
	f.lastKey, f.keyed = after, f.m.process == ""
}
