package notify_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
)

// fakeDisks serves statfs results by path; use is set in percent.
type fakeDisks struct {
	mu    sync.Mutex
	fs    map[string]syscall.Statfs_t
	errs  map[string]error
	calls int
}

func newFakeDisks() *fakeDisks {
	return &fakeDisks{fs: map[string]syscall.Statfs_t{}, errs: map[string]error{}}
}

// set makes path a 100 GB file system (4 KB blocks) that is pct% used,
// with a 5% root reserve that df leaves out.
func (f *fakeDisks) set(path string, pct float64, fsid int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	const blocks = 100_000_000_000 / 4096
	reserve := uint64(blocks / 20)
	usable := blocks - reserve
	used := uint64(math.Ceil(float64(usable) * pct / 100))
	st := syscall.Statfs_t{Bsize: 4096, Frsize: 4096, Blocks: blocks, Bfree: blocks - used, Bavail: usable - used}
	st.Fsid.X__val = [2]int32{fsid, 0}
	f.fs[path] = st
	delete(f.errs, path)
}

// called returns how many times statfs was called.
func (f *fakeDisks) called() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeDisks) fail(path string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[path] = err
}

func (f *fakeDisks) statfs(path string, st *syscall.Statfs_t) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if err := f.errs[path]; err != nil {
		return err
	}
	s, ok := f.fs[path]
	if !ok {
		return syscall.ENOENT
	}
	*st = s
	return nil
}

// reports collects reported events.
type reports struct {
	mu  sync.Mutex
	evs []engine.Event
}

func (r *reports) report(_ context.Context, ev engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
}

func (r *reports) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.evs {
		out = append(out, ev.Message)
	}
	return out
}

func TestDiskWatcher(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("reports once per crossing, with hysteresis", func(t *testing.T) {
		disks, got := newFakeDisks(), &reports{}
		w, err := notify.NewDiskWatcher(notify.DiskConfig{
			Paths: []string{"/var/lib/docker"}, Statfs: disks.statfs, Report: got.report, Now: func() time.Time { return now },
		})
		require.NoError(t, err)
		steps := []struct {
			pct     float64
			reports int
		}{
			{50, 0}, {89.9, 0},
			{92.3, 1},                 // crossed: 90% by default
			{99, 1}, {87, 1}, {91, 1}, // still above 85: no new report
			{84, 1}, // back below the hysteresis mark: re-armed
			{90, 2}, // crossed again
		}
		for _, s := range steps {
			disks.set("/var/lib/docker", s.pct, 1)
			w.Check(ctx)
			assert.Len(t, got.messages(), s.reports, "at %g%%", s.pct)
		}
		require.Len(t, got.evs, 2)
		assert.Equal(t, engine.Event{
			Kind: engine.EventDiskLow, Time: now,
			Message: "disk /var/lib/docker is 92% full (7.3 GB free): run `quayside gc` or grow the disk",
		}, got.evs[0])
		assert.Equal(t, "disk /var/lib/docker is 90% full (9.5 GB free): run `quayside gc` or grow the disk", got.evs[1].Message)
	})

	t.Run("own threshold and hysteresis", func(t *testing.T) {
		disks, got := newFakeDisks(), &reports{}
		w, err := notify.NewDiskWatcher(notify.DiskConfig{Paths: []string{"/d"}, Threshold: 70, Hysteresis: 20, Statfs: disks.statfs, Report: got.report})
		require.NoError(t, err)
		for _, pct := range []float64{69, 70, 55, 70, 49, 75} {
			disks.set("/d", pct, 1)
			w.Check(ctx)
		}
		assert.Len(t, got.messages(), 2)
	})

	t.Run("paths on one file system are reported once", func(t *testing.T) {
		disks, got := newFakeDisks(), &reports{}
		w, err := notify.NewDiskWatcher(notify.DiskConfig{Paths: []string{"/var/lib/quayside", "/var/lib/docker", "/srv"}, Statfs: disks.statfs, Report: got.report})
		require.NoError(t, err)
		disks.set("/var/lib/quayside", 95, 7)
		disks.set("/var/lib/docker", 95, 7)
		disks.set("/srv", 96, 8)
		w.Check(ctx)
		msgs := got.messages()
		require.Len(t, msgs, 2)
		assert.Contains(t, msgs[0], "disk /var/lib/quayside is 95% full")
		assert.Contains(t, msgs[1], "disk /srv is 96% full")
	})

	t.Run("a failing path is logged once and skipped", func(t *testing.T) {
		disks, got, logs := newFakeDisks(), &reports{}, &logBuffer{}
		w, err := notify.NewDiskWatcher(notify.DiskConfig{Paths: []string{"/gone", "/ok"}, Statfs: disks.statfs, Report: got.report, Logger: logs.logger()})
		require.NoError(t, err)
		disks.fail("/gone", errors.New("permission denied"))
		disks.set("/ok", 95, 2)
		w.Check(ctx)
		w.Check(ctx)
		assert.Len(t, got.messages(), 1)
		assert.Equal(t, 1, countLines(logs.String(), "permission denied"))
		disks.set("/gone", 10, 3)
		w.Check(ctx)
		disks.fail("/gone", errors.New("permission denied"))
		w.Check(ctx)
		assert.Equal(t, 2, countLines(logs.String(), "permission denied"), "logged again after a success")
	})

	t.Run("Run checks at once and every interval", func(t *testing.T) {
		disks, got := newFakeDisks(), &reports{}
		disks.set("/d", 95, 1)
		w, err := notify.NewDiskWatcher(notify.DiskConfig{Paths: []string{"/d"}, Interval: 5 * time.Millisecond, Statfs: disks.statfs, Report: got.report})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		eventually(t, func() bool { return len(got.messages()) == 1 }, "reported at once")
		disks.set("/d", 10, 1)
		seen := disks.called()
		eventually(t, func() bool { return disks.called() >= seen+2 }, "a whole check saw the drop")
		disks.set("/d", 95, 1)
		eventually(t, func() bool { return len(got.messages()) == 2 }, "reported again by a later check")
		cancel()
		require.NoError(t, <-done)
	})

	t.Run("real statfs", func(t *testing.T) {
		got := &reports{}
		w, err := notify.NewDiskWatcher(notify.DiskConfig{Paths: []string{t.TempDir()}, Threshold: 100, Hysteresis: 1, Report: got.report})
		require.NoError(t, err)
		w.Check(ctx) // a test machine's temp dir is not 100% full
		assert.Empty(t, got.messages())
	})

	t.Run("invalid config", func(t *testing.T) {
		report := (&reports{}).report
		for name, cfg := range map[string]notify.DiskConfig{
			"no report":            {},
			"threshold above 100":  {Report: report, Threshold: 101},
			"negative threshold":   {Report: report, Threshold: -1},
			"negative hysteresis":  {Report: report, Hysteresis: -1},
			"hysteresis too large": {Report: report, Threshold: 50, Hysteresis: 50},
		} {
			_, err := notify.NewDiskWatcher(cfg)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), name)
		}
	})
}

func countLines(s, sub string) int {
	n := 0
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			n++
		}
	}
	return n
}
