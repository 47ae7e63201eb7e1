package logs

import (
	"context"
	"errors"
	"time"
)

// runWriter is the one goroutine that writes queued lines to disk. It runs
// until Close, then writes what is left, fsyncs and closes the files.
func (s *Store) runWriter() {
	defer s.wg.Done()
	tick := time.NewTicker(s.opts.SyncInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.wake:
			s.writeAll()
		case <-tick.C:
			s.writeAll()
			if err := s.syncAll(); err != nil {
				s.log.Warn("cannot sync app logs", "err", err)
			}
		case reply := <-s.flushReq:
			s.writeAll()
			reply <- s.syncAll()
		case <-s.closing:
			s.writeAll()
			s.closeErr = s.closeFiles()
			return
		}
	}
}

// writeAll writes every app's queued lines.
func (s *Store) writeAll() {
	for _, a := range s.appList() {
		a.writeOut(s)
	}
}

// syncAll fsyncs every segment written since the last sync.
func (s *Store) syncAll() error {
	var errs []error
	for _, a := range s.appList() {
		errs = append(errs, a.sync())
	}
	return errors.Join(errs...)
}

// closeFiles flushes, fsyncs and closes every app's active segment.
func (s *Store) closeFiles() error {
	var errs []error
	for _, a := range s.appList() {
		a.wmu.Lock()
		errs = append(errs, a.disk.closeFile())
		a.wmu.Unlock()
	}
	return errors.Join(errs...)
}

// Flush returns once every line appended before the call is written to
// disk (or counted as dropped) and fsynced. Tests and a graceful shutdown
// use it; Append never needs it.
func (s *Store) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case s.flushReq <- reply:
	case <-s.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
