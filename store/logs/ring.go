package logs

import (
	"sort"

	"github.com/quayside/quayside/engine"
)

// entry is a recent line with its number among the lines of its process
// since Open, which lets a follower with a process filter count exactly the
// lines it missed.
type entry struct {
	line engine.LogLine
	nth  uint64
}

// ring holds an app's last lines in Seq order, at most max of them and
// about maxBytes of text; the oldest go first to make room. It grows as
// needed, so a quiet app costs little. It is not safe for concurrent use.
type ring struct {
	buf      []entry
	head     int // index of the oldest entry
	n        int
	max      int
	bytes    int64 // lineCost of the entries held
	maxBytes int64
}

func newRing(max int, maxBytes int64) ring { return ring{max: max, maxBytes: maxBytes} }

// push adds e, dropping the oldest entries while the ring is full. The
// newest entry is always kept.
func (r *ring) push(e entry) {
	size := lineCost(&e.line)
	for r.n > 0 && (r.n == r.max || r.bytes+size > r.maxBytes) {
		r.drop()
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = e
	r.n++
	r.bytes += size
}

// drop forgets the oldest entry.
func (r *ring) drop() {
	r.bytes -= lineCost(&r.buf[r.head].line)
	r.buf[r.head] = entry{} // release the text
	r.head = (r.head + 1) % len(r.buf)
	r.n--
}

// grow doubles the buffer, up to max, keeping the order.
func (r *ring) grow() {
	next := make([]entry, min(max(16, 2*len(r.buf)), r.max))
	for i := range r.n {
		next[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf, r.head = next, 0
}

// len returns how many entries the ring holds.
func (r *ring) len() int { return r.n }

// at returns the i-th oldest entry.
func (r *ring) at(i int) *entry { return &r.buf[(r.head+i)%len(r.buf)] }

// search returns the index of the oldest entry whose Seq is at least seq
// (len() if there is none). Seqs increase but may have holes after a
// restart, so it searches rather than computes.
func (r *ring) search(seq uint64) int {
	return sort.Search(r.n, func(i int) bool { return r.at(i).line.Seq >= seq })
}
