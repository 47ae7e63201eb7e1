package logs

import (
	"context"
	"sync"
	"time"

	"github.com/quayside/quayside/engine"
)

// deliveryBatch is the capacity of a follower's channel and how many lines
// its pump takes at once, so that a reader that keeps up is woken once per
// batch rather than once per line.
const deliveryBatch = 64

// followLinger is how long a pump that was woken by a new line waits for
// more before delivering, so that a busy app wakes each follower about once
// per millisecond instead of once per line. It bounds the delay it adds.
const followLinger = time.Millisecond

// follower is one reader of an app's new lines. It holds no lines of its
// own: its pump reads the app's ring of recent lines from a cursor, and
// when Append overwrites lines the cursor has not reached, the follower
// skips ahead and counts them. Only the pump (and attach, before the pump
// starts) touches the cursor fields, under the app's mu.
type follower struct {
	m      matcher
	cursor uint64 // the next Seq to read
	// lastKey identifies the last line handed over: its Seq without a
	// process filter, else its number among its process's lines. keyed is
	// false until it is known.
	lastKey uint64
	keyed   bool
	// lost counts lines (of any process) overwritten before the cursor
	// reached them; it is reported with the next line when keyed is false.
	lost    uint64
	overrun bool

	out  chan engine.LogDelivery
	stop chan struct{} // closed when the app is removed
	once sync.Once
}

func newFollower(q engine.LogQuery) *follower {
	return &follower{
		m:    newMatcher(q),
		out:  make(chan engine.LogDelivery, deliveryBatch),
		stop: make(chan struct{}),
	}
}

// key returns the number that orders the lines f selects without holes.
func (f *follower) key(e *entry) uint64 {
	if f.m.process == "" {
		return e.line.Seq
	}
	return e.nth
}

// deliver turns e into a delivery, with the count of lines missed before it
// if the follower was overrun.
func (f *follower) deliver(s *Store, e *entry) engine.LogDelivery {
	key, missed := f.key(e), uint64(0)
	if f.overrun {
		missed = f.lost
		if f.keyed {
			missed = key - f.lastKey - 1
		}
		f.overrun, f.lost = false, 0
		s.totals.missed.Add(missed)
	}
	f.lastKey, f.keyed = key, true
	return engine.LogDelivery{Line: e.line, Missed: int(missed)}
}

// close stops the follower's pump.
func (f *follower) close() { f.once.Do(func() { close(f.stop) }) }

// pump hands the follower's lines to its reader until ctx ends, the app is
// removed or the store closes; then it detaches the follower and closes the
// channel.
func (s *Store) pump(ctx context.Context, a *appLog, f *follower) {
	defer s.wg.Done()
	defer close(f.out)
	defer a.detach(f)
	linger := time.NewTimer(followLinger)
	defer linger.Stop()
	batch := make([]engine.LogDelivery, 0, deliveryBatch)
	for {
		var wake <-chan struct{}
		batch, wake = a.read(s, f, batch[:0])
		for i, d := range batch {
			if !s.send(ctx, f, d) {
				return
			}
			batch[i] = engine.LogDelivery{} // release the text
		}
		if wake != nil && !s.idle(ctx, f, wake, linger) {
			return
		}
	}
}

// read takes up to deliveryBatch lines for f from the app's recent lines.
// When there is none it returns a channel that closes on the next Append.
func (a *appLog) read(s *Store, f *follower, batch []engine.LogDelivery) ([]engine.LogDelivery, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if f.cursor >= a.nextSeq {
		return batch, a.wake
	}
	if oldest := a.oldestRecent(); f.cursor < oldest {
		f.lost += oldest - f.cursor
		f.overrun = true
		f.cursor = oldest
	}
	for i := a.recent.search(f.cursor); i < a.recent.len() && len(batch) < deliveryBatch; i++ {
		e := a.recent.at(i)
		f.cursor = e.line.Seq + 1
		if f.m.line(&e.line) {
			batch = append(batch, f.deliver(s, e))
		}
	}
	if len(batch) == 0 && f.cursor >= a.nextSeq {
		return batch, a.wake
	}
	return batch, nil
}

// send hands one delivery to the reader, waiting while its channel is full.
// It reports false when the pump must end.
func (s *Store) send(ctx context.Context, f *follower, d engine.LogDelivery) bool {
	select {
	case f.out <- d:
		return true
	default:
	}
	select {
	case f.out <- d:
		return true
	case <-ctx.Done():
	case <-f.stop:
	case <-s.closing:
	}
	return false
}

// idle waits for the next Append and then lingers briefly for more. It
// reports false when the pump must end.
func (s *Store) idle(ctx context.Context, f *follower, wake <-chan struct{}, linger *time.Timer) bool {
	select {
	case <-wake:
	case <-ctx.Done():
		return false
	case <-f.stop:
		return false
	case <-s.closing:
		return false
	}
	linger.Reset(followLinger)
	select {
	case <-linger.C:
		return true
	case <-ctx.Done():
	case <-f.stop:
	case <-s.closing:
	}
	return false
}
