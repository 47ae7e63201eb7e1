package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"github.com/quayside/quayside/engine"
)

// Store keeps the log history of every app under one data dir and fans new
// lines out to followers. It implements engine.LogStore; its methods are safe
// for concurrent use. Close stops its goroutines.
type Store struct {
	opts Options
	log  *slog.Logger
	root *os.Root

	mu     sync.RWMutex
	apps   map[string]*appLog
	closed bool

	ops      sync.WaitGroup // queries reading files
	wg       sync.WaitGroup // the writer and the followers' pumps
	closing  chan struct{}
	wake     chan struct{}
	flushReq chan chan error

	closeOnce sync.Once
	closeErr  error

	queued      atomic.Int64 // lines waiting for the disk, all apps
	queuedBytes atomic.Int64
	totals      totals
	trash       atomic.Uint64
	// segmentsRead counts segment files read by queries (for tests).
	segmentsRead atomic.Uint64
}

var _ engine.LogStore = (*Store)(nil)

// errClosed is returned by the methods of a closed Store.
var errClosed = engine.Errorf(engine.EUNAVAILABLE, "the log store is shut down: restart Quayside")

// Open opens the log store in dir, creating it (mode 0700) if needed, and
// recovers every app's history: torn records at the end of the newest
// segments are cut off and Seq numbering continues. Invalid Options yield
// *engine.Error EINVALID.
func Open(dir string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create log dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open log dir: %w", err)
	}
	s := &Store{
		opts: opts, log: opts.Logger, root: root,
		apps:     map[string]*appLog{},
		closing:  make(chan struct{}),
		wake:     make(chan struct{}, 1),
		flushReq: make(chan chan error),
	}
	if err := s.load(); err != nil {
		_ = root.Close()
		return nil, err
	}
	s.wg.Add(1)
	go s.runWriter()
	return s, nil
}

// Close writes out every queued line, fsyncs, ends all followers (their
// channels close) and stops the store's goroutines. Later calls return the
// same result; other methods then fail with EUNAVAILABLE, and Append ignores
// its lines.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.closing)
		s.wg.Wait()
		s.ops.Wait()
		s.closeErr = errors.Join(s.closeErr, s.root.Close())
	})
	return s.closeErr
}

// begin registers an operation that reads files; call the returned func when
// it is done. It fails once the store is closed.
func (s *Store) begin() (func(), error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	s.ops.Add(1)
	return s.ops.Done, nil
}

// findApp returns the app's state, or nil if the store knows nothing of it
// or is closed.
func (s *Store) findApp(name string) *appLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil
	}
	return s.apps[name]
}

// app returns the app's state, creating it; nil once the store is closed.
func (s *Store) app(name string) *appLog {
	if a := s.findApp(name); a != nil {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.appLocked(name)
}

// appLocked is app for a caller that holds s.mu.
func (s *Store) appLocked(name string) *appLog {
	a := s.apps[name]
	if a == nil {
		a = newAppLog(name, s.opts)
		s.apps[name] = a
	}
	return a
}

// appList returns the apps the store knows.
func (s *Store) appList() []*appLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := make([]*appLog, 0, len(s.apps))
	for _, a := range s.apps {
		list = append(list, a)
	}
	return list
}

// RemoveApp forgets an app's history: its files, its queued lines and its
// followers (their channels close). Lines appended for the app afterwards
// start a new history from Seq 1. A name that is not a valid app name
// yields EINVALID.
func (s *Store) RemoveApp(app string) error {
	if err := validApp(app); err != nil {
		return err
	}
	done, err := s.begin()
	if err != nil {
		return err
	}
	defer done()
	a := s.findApp(app)
	if a != nil {
		a.retire(s)
	}
	trash, err := s.detachApp(app, a)
	if err != nil || trash == "" {
		return err
	}
	if err := s.root.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove log history: %w", err)
	}
	return nil
}

// detachApp forgets the retired state a of the app and moves its directory
// aside, returning the directory's new name ("" if it had none). Holding
// s.mu keeps a new history of the same name from starting meanwhile; the
// writer no longer touches a retired app's files.
func (s *Store) detachApp(app string, a *appLog) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a != nil && s.apps[app] == a {
		delete(s.apps, app)
	}
	trash := fmt.Sprintf("%s%s-%d", trashPrefix, app, s.trash.Add(1))
	err := s.root.Rename(app, trash)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("move log history aside: %w", err)
	}
	return trash, nil
}

// trashPrefix names directories of removed apps awaiting deletion; Open
// deletes any it finds. App names cannot start with a dot.
const trashPrefix = ".removed-"

// kick wakes the writer without waiting.
func (s *Store) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
