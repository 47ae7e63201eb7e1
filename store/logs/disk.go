package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/quayside/quayside/engine"
)

// headerLen is the size of the segment header.
const headerLen = int64(len(segmentHeader))

// disk is the writer's view of an app's active segment. Only the writer
// goroutine (and retire, after it) touches it, holding the app's wmu.
type disk struct {
	f     *os.File // nil until the next write opens the active segment
	w     *bufio.Writer
	size  int64 // bytes of the active segment, buffered ones included
	total int64 // bytes of all the app's segments, buffered ones included
	span  span  // of the active segment
	dirty bool  // written since the last fsync
	idle  int   // syncs since the last write; see idleSyncs
	buf   []byte
	fails int
}

// writeOut writes the app's queued lines to disk and publishes them.
func (a *appLog) writeOut(s *Store) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	batch, size := a.takePending()
	if len(batch) == 0 {
		return
	}
	err := a.writeBatch(s, batch)
	if err != nil {
		a.disk.fail()
		a.warnFailure(s, err)
	} else if a.disk.fails > 0 {
		s.log.Info("writing app logs to disk works again", "app", a.name)
		a.disk.fails = 0
	}
	s.release(len(batch), size)
	a.publish(s, batch, err)
}

// writeBatch writes the records of batch through the buffer and flushes it.
func (a *appLog) writeBatch(s *Store, batch []engine.LogLine) error {
	d := &a.disk
	for i := range batch {
		l := &batch[i]
		d.buf = appendRecord(d.buf[:0], l)
		if err := a.makeRoom(s, int64(len(d.buf)), l.Seq); err != nil {
			return err
		}
		if _, err := d.w.Write(d.buf); err != nil {
			return fmt.Errorf("write log segment: %w", err)
		}
		d.size += int64(len(d.buf))
		d.total += int64(len(d.buf))
		d.span.add(l.Time.UnixNano())
		d.dirty = true
	}
	if err := d.w.Flush(); err != nil {
		return fmt.Errorf("write log segment: %w", err)
	}
	return nil
}

// makeRoom readies the active segment for a record of n bytes for line seq:
// it opens or rotates the segment and deletes the oldest segments the cap
// no longer allows, before the record is written.
func (a *appLog) makeRoom(s *Store, n int64, seq uint64) error {
	d := &a.disk
	if d.f == nil {
		if err := a.openActive(s, seq); err != nil {
			return err
		}
	}
	rotate := d.size+n > s.opts.SegmentBytes && d.size > headerLen
	if rotate {
		n += headerLen
	}
	a.enforceCap(s, n)
	if rotate {
		return a.rotate(s, seq)
	}
	return nil
}

// publish makes the written batch visible to readers and counts it.
func (a *appLog) publish(s *Store, batch []engine.LogLine, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err == nil && len(a.segs) > 0 {
		last := a.segs[len(a.segs)-1]
		last.size, last.span = a.disk.size, a.disk.span
	}
	a.flushedSeq = batch[len(batch)-1].Seq
	a.inflight = nil
	n := uint64(len(batch))
	if err != nil {
		a.stats.dropped += n
		s.totals.dropped.Add(n)
		return
	}
	a.stats.written += n
	s.totals.written.Add(n)
}

// openActive opens the newest segment for appending, cutting anything after
// its published size, or creates the first segment.
func (a *appLog) openActive(s *Store, seq uint64) error {
	a.mu.Lock()
	var last segment
	total := int64(0)
	for _, seg := range a.segs {
		total += seg.size
		last = *seg
	}
	empty := len(a.segs) == 0
	a.mu.Unlock()
	d := &a.disk
	d.total = total
	if empty {
		return a.create(s, seq)
	}
	f, err := s.root.OpenFile(segPath(a.name, last.first), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log segment: %w", err)
	}
	size, err := resume(f, last.size)
	if err != nil {
		_ = f.Close()
		return err
	}
	d.total += size - last.size
	a.useFile(f, size, last.span)
	return nil
}

// resume cuts f to size and positions it at the end, writing the header if
// the file has none. It returns the file's size.
func resume(f *os.File, size int64) (int64, error) {
	if size < headerLen {
		size = 0
	}
	if err := f.Truncate(size); err != nil {
		return 0, fmt.Errorf("truncate log segment: %w", err)
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek log segment: %w", err)
	}
	if size == 0 {
		if _, err := f.WriteString(segmentHeader); err != nil {
			return 0, fmt.Errorf("write log segment: %w", err)
		}
		size = headerLen
	}
	return size, nil
}

// useFile makes f, of size bytes, the active segment.
func (a *appLog) useFile(f *os.File, size int64, sp span) {
	d := &a.disk
	if d.w == nil {
		d.w = bufio.NewWriterSize(f, 64<<10)
	} else {
		d.w.Reset(f)
	}
	d.f, d.size, d.span = f, size, sp
}

// rotate seals the active segment and starts a new one at first.
func (a *appLog) rotate(s *Store, first uint64) error {
	d := &a.disk
	if err := d.w.Flush(); err != nil {
		return fmt.Errorf("write log segment: %w", err)
	}
	if err := d.closeFile(); err != nil {
		return err
	}
	a.mu.Lock()
	last := a.segs[len(a.segs)-1]
	last.size, last.span = d.size, d.span
	a.mu.Unlock()
	return a.create(s, first)
}

// create starts a new, empty segment whose first line is first.
func (a *appLog) create(s *Store, first uint64) error {
	if err := s.root.MkdirAll(a.name, 0o700); err != nil {
		return fmt.Errorf("create log dir: %w", err)
	}
	f, err := s.root.OpenFile(segPath(a.name, first), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create log segment: %w", err)
	}
	if _, err := f.WriteString(segmentHeader); err != nil {
		_ = f.Close()
		return fmt.Errorf("write log segment: %w", err)
	}
	s.syncDir(a.name)
	a.mu.Lock()
	a.segs = append(a.segs, &segment{first: first, size: headerLen, span: emptySpan})
	a.mu.Unlock()
	a.disk.total += headerLen
	a.useFile(f, headerLen, emptySpan)
	return nil
}

// enforceCap deletes the oldest sealed segments until n more bytes fit
// under Options.MaxBytesPerApp. The active segment is never deleted.
func (a *appLog) enforceCap(s *Store, n int64) {
	for a.disk.total+n > s.opts.MaxBytesPerApp {
		a.mu.Lock()
		if len(a.segs) < 2 {
			a.mu.Unlock()
			return
		}
		old := a.segs[0]
		a.segs = a.segs[1:]
		size := old.size
		a.mu.Unlock()
		a.disk.total -= size
		s.removeSegment(a.name, old.first)
	}
}

// removeSegment deletes a segment file; failures are only logged.
func (s *Store) removeSegment(app string, first uint64) {
	err := s.root.Remove(segPath(app, first))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("cannot delete old log segment", "app", app, "err", err)
	}
}

// syncDir fsyncs the app's directory and the data dir, so new files
// survive a crash; failures are only logged.
func (s *Store) syncDir(app string) {
	for _, name := range []string{app, "."} {
		f, err := s.root.Open(name)
		if err == nil {
			err = f.Sync()
			_ = f.Close()
		}
		if err != nil {
			s.log.Warn("cannot sync log dir", "app", app, "err", err)
		}
	}
}

// idleSyncs is how many syncs in a row without a write leave an app's
// active segment open: after that (about idleSyncs x SyncInterval of
// quiet) sync closes the file and drops its write buffer, and the next
// line opens it again, so quiet apps, and apps whose history was removed
// while a late line arrived, hold no file descriptor and no buffer.
const idleSyncs = 10

// sync fsyncs the active segment if it was written since the last sync,
// and closes it once it has been idle for idleSyncs syncs.
func (a *appLog) sync() error {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	d := &a.disk
	if d.f == nil {
		return nil
	}
	if !d.dirty {
		if d.idle++; d.idle >= idleSyncs {
			err := d.closeFile()
			d.w = nil // its 64 KiB buffer too: useFile makes a new one
			return err
		}
		return nil
	}
	d.dirty, d.idle = false, 0
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("sync log segment: %w", err)
	}
	return nil
}

// closeFile flushes, fsyncs and closes the active segment, if open.
func (d *disk) closeFile() error {
	if d.f == nil {
		return nil
	}
	err := d.w.Flush()
	if d.dirty {
		err = errors.Join(err, d.f.Sync())
	}
	err = errors.Join(err, d.f.Close())
	d.f, d.dirty, d.idle = nil, false, 0
	if err != nil {
		return fmt.Errorf("close log segment: %w", err)
	}
	return nil
}

// fail drops the active segment after a write error; the next write opens
// it again and cuts the bytes that were never published.
func (d *disk) fail() {
	if d.f != nil {
		_ = d.f.Close()
	}
	d.f, d.w, d.dirty = nil, nil, false
	d.fails++
}

// warnFailure logs a disk error, less often as failures repeat.
func (a *appLog) warnFailure(s *Store, err error) {
	if n := a.disk.fails; n&(n-1) == 0 {
		s.log.Error("cannot write app logs to disk: lines are dropped until it works again",
			"app", a.name, "failures", n, "err", err)
	}
}
