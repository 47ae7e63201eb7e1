package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/egress"
)

func TestSlackText(t *testing.T) {
	tests := []struct {
		name   string
		ev     engine.Event
		server string
		link   string
		want   string
	}{
		{"deploy failed", engine.Event{Kind: engine.EventDeployFailed, App: "myapp", Release: 7, Message: "build failed"}, "", "",
			":x: deploy of myapp v7 failed: build failed"},
		{"deploy failed without release", engine.Event{Kind: engine.EventDeployFailed, App: "myapp"}, "", "",
			":x: deploy of myapp failed"},
		{"crash loop", engine.Event{Kind: engine.EventCrashLooping, App: "myapp", Process: "web.1", Message: "web.1 crashed 5 times"}, "box1", "https://q.example.com/apps/myapp",
			":rotating_light: myapp web.1 is crash-looping: web.1 crashed 5 times <https://q.example.com/apps/myapp|details>"},
		{"out of memory", engine.Event{Kind: engine.EventOutOfMemory, App: "shop", Process: "web.2", Message: "web.2 was killed: out of memory at its 512 MiB limit"}, "", "",
			":boom: shop web.2 ran out of memory: web.2 was killed: out of memory at its 512 MiB limit"},
		{"disk", engine.Event{Kind: engine.EventDiskLow, Message: "disk / is 93% full"}, "box<1>", "",
			":warning: disk space low on box&lt;1&gt;: disk / is 93% full"},
		{"certificate", engine.Event{Kind: engine.EventCertificateFailing, App: "shop", Message: "rate limited"}, "box1", "",
			":lock: certificate renewal failing for shop on box1: rate limited"},
		{"certificate of the server", engine.Event{Kind: engine.EventCertificateFailing, Message: "x"}, "", "",
			":lock: certificate renewal failing: x"},
		{"escapes user content", engine.Event{Kind: engine.EventDeployFailed, App: "a", Message: "<!channel> & <https://evil|click>"}, "", "",
			":x: deploy of a failed: &lt;!channel&gt; &amp; &lt;https://evil|click&gt;"},
		{"first line only", engine.Event{Kind: engine.EventDeployFailed, App: "a", Message: "  step 3 failed\nstack trace\n"}, "", "",
			":x: deploy of a failed: step 3 failed"},
		{"scheduled job failed", engine.Event{Kind: engine.EventCronFailed, App: "shop", Process: "cron.report", Message: "exited with code 3"}, "", "",
			":x: scheduled job report for shop failed: exited with code 3"},
		{"scheduled job missed", engine.Event{Kind: engine.EventCronMissed, App: "shop", Process: "cron.<b>", Message: "skipped"}, "", "",
			":hourglass: scheduled job &lt;b&gt; for shop missed its time: skipped"},
		{"other kind", engine.Event{Kind: "something.new", App: "a", Message: "m"}, "", "",
			"something.new for a: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, slackText(tt.ev, tt.server, tt.link))
		})
	}
}

func TestShorten(t *testing.T) {
	assert.Equal(t, "abc", shorten("abc", 3))
	assert.Equal(t, "ab…", shorten("abc", 2))
	assert.Equal(t, "éé…", shorten("ééé", 2), "cuts at runes, not bytes")
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 2 ":                           2 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Wed, 01 Jan 2025 00:00:30 GMT": 30 * time.Second,
		"Tue, 31 Dec 2024 23:00:00 GMT": 0,
	}
	for h, want := range tests {
		assert.Equal(t, want, retryAfter(h, now), "Retry-After %q", h)
	}
}

func TestBackoff(t *testing.T) {
	for range 1000 {
		d := backoff(time.Second, 0)
		require.GreaterOrEqual(t, d, 800*time.Millisecond)
		require.LessOrEqual(t, d, 1200*time.Millisecond)
	}
	assert.GreaterOrEqual(t, backoff(time.Second, time.Minute), time.Minute, "Retry-After longer than the schedule wins")
	assert.Equal(t, maxRetryAfter, backoff(time.Millisecond, 24*time.Hour), "Retry-After is capped")
	assert.Zero(t, backoff(0, 0))
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 KB", 4_100_000_000: "4.1 GB",
		1_500_000_000_000: "1.5 TB", 3_000_000_000_000_000_000: "3000.0 PB",
	} {
		assert.Equal(t, want, humanBytes(n))
	}
}

func TestUsageOf(t *testing.T) {
	st := syscall.Statfs_t{Bsize: 65536, Frsize: 4096, Blocks: 1000, Bfree: 300, Bavail: 200}
	u := usageOf("/x", &st)
	assert.Equal(t, uint64(700*4096), u.used, "counts are in fragment-size units")
	assert.Equal(t, uint64(200*4096), u.free)
	assert.InDelta(t, 77.78, u.percent(), 0.01, "used / (used + available), as df")
	assert.Equal(t, "/x", u.fs, "no fsid: the path identifies the file system")

	st = syscall.Statfs_t{Bsize: 512, Blocks: 10, Bfree: 10, Bavail: 10}
	st.Fsid.X__val = [2]int32{1, 2}
	u = usageOf("/y", &st)
	assert.Equal(t, uint64(5120), u.free, "Bsize when there is no Frsize")
	assert.Zero(t, u.percent())
	assert.NotEqual(t, "/y", u.fs)
}

func TestIdleWorkerRetires(t *testing.T) {
	rc := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(rc.Close)
	target := Target{URL: rc.URL, Format: FormatJSON}
	n := New(Config{Egress: &egress.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, Targets: func(context.Context, string) ([]Target, error) { return []Target{target}, nil }})
	n.idle = 10 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- n.Run(context.Background()) }()
	t.Cleanup(func() {
		require.NoError(t, n.Close())
		require.NoError(t, <-done)
	})
	workers := func() int {
		n.mu.Lock()
		defer n.mu.Unlock()
		return len(n.workers)
	}

	n.Event(engine.Event{Kind: engine.EventDeployFailed, App: "a"})
	require.Eventually(t, func() bool { return n.Stats().Delivered == 1 }, 10*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return workers() == 0 }, 10*time.Second, time.Millisecond, "the idle worker retires")
	n.Event(engine.Event{Kind: engine.EventDeployFailed, App: "a"})
	require.Eventually(t, func() bool { return n.Stats().Delivered == 2 }, 10*time.Second, time.Millisecond, "a new worker delivers")
}
