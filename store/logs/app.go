package logs

import (
	"sync"

	"github.com/quayside/quayside/engine"
)

// appLog is the state of one app's history. mu guards everything but disk,
// which belongs to the writer and is guarded by wmu, and the followers'
// cursors, which their pumps move under mu. Lock order: Store.mu, then wmu,
// then mu.
type appLog struct {
	name string

	mu         sync.Mutex
	nextSeq    uint64
	flushedSeq uint64 // lines up to here are on disk (or were dropped)
	// recent holds the last lines: followers read them from there, and
	// FollowAfter replays them. nth counts each process's lines.
	recent    ring
	nth       map[string]uint64
	wake      chan struct{} // closed (and replaced) by Append for followers
	followers map[*follower]struct{}
	pending   []engine.LogLine
	pendBytes int64
	inflight  []engine.LogLine // taken by the writer, not yet published
	segs      []*segment       // oldest first; the last is the active one
	removed   bool
	stats     counters
	damaged   map[uint64]bool // segments whose damage was logged

	wmu  sync.Mutex
	disk disk
}

// newAppLog returns the state of an app with no history.
func newAppLog(name string, opts Options) *appLog {
	return &appLog{
		name: name, nextSeq: 1, recent: newRing(opts.FollowerBuffer, opts.FollowerBufferBytes),
		nth: map[string]uint64{}, wake: make(chan struct{}),
		followers: map[*follower]struct{}{},
	}
}

// append numbers lines, keeps them for the followers, wakes these, and
// queues the lines for the disk. It never blocks on I/O or on a follower.
func (a *appLog) append(s *Store, lines []engine.LogLine) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.removed {
		return
	}
	for i := range lines {
		l := &lines[i]
		l.Seq = a.nextSeq
		a.nextSeq++
		a.remember(*l)
		a.enqueue(s, *l)
	}
	if len(a.followers) > 0 {
		close(a.wake)
		a.wake = make(chan struct{})
	}
}

// remember adds l to the recent lines.
func (a *appLog) remember(l engine.LogLine) {
	a.nth[l.Process]++
	a.recent.push(entry{line: l, nth: a.nth[l.Process]})
}

// oldestRecent returns the Seq of the oldest line followers can still
// read: the oldest recent line, or the next Seq if there is none.
func (a *appLog) oldestRecent() uint64 {
	if a.recent.len() == 0 {
		return a.nextSeq
	}
	return a.recent.at(0).line.Seq
}

// enqueue queues l for the disk, or counts it dropped when the queue is full.
func (a *appLog) enqueue(s *Store, l engine.LogLine) {
	a.stats.appended++
	s.totals.appended.Add(1)
	size := lineCost(&l)
	if !s.reserve(size) {
		a.stats.dropped++
		s.totals.dropped.Add(1)
		return
	}
	a.pending = append(a.pending, l)
	a.pendBytes += size
}

// lineCost is the memory a queued line holds, roughly.
func lineCost(l *engine.LogLine) int64 {
	return int64(len(l.Text)+len(l.Process)+len(l.Stream)) + 112
}

// takePending moves the queued lines to inflight and returns them.
func (a *appLog) takePending() ([]engine.LogLine, int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	batch, size := a.pending, a.pendBytes
	a.pending, a.pendBytes = nil, 0
	a.inflight = batch
	return batch, size
}

// retire marks the app removed: queued lines are forgotten, followers
// stopped, and the writer, once done with a batch it may be writing, leaves
// the app's files alone.
func (a *appLog) retire(s *Store) {
	a.mu.Lock()
	a.removed = true
	pending, size := len(a.pending), a.pendBytes
	a.pending, a.pendBytes = nil, 0
	for f := range a.followers {
		f.close()
	}
	a.mu.Unlock()
	a.wmu.Lock()
	_ = a.disk.closeFile()
	a.wmu.Unlock()
	s.release(pending, size)
	s.totals.dropped.Add(uint64(pending))
}

// detach forgets a follower whose pump has ended.
func (a *appLog) detach(f *follower) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.followers, f)
}

// reserve takes room for one line of size bytes in the disk queue.
func (s *Store) reserve(size int64) bool {
	if s.queued.Add(1) > int64(s.opts.WriteQueue) {
		s.queued.Add(-1)
		return false
	}
	if s.queuedBytes.Add(size) > s.opts.WriteQueueBytes {
		s.queued.Add(-1)
		s.queuedBytes.Add(-size)
		return false
	}
	return true
}

// release gives back the disk queue room of n lines of size bytes.
func (s *Store) release(n int, size int64) {
	s.queued.Add(-int64(n))
	s.queuedBytes.Add(-size)
}
