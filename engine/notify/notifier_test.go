package notify_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
)

func TestBodies(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))

	t.Run("json", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := start(t, notify.Config{
			Targets:    fixedTargets(notify.Target{URL: rc.URL + "/hook", Format: notify.FormatJSON}),
			ServerName: "box1", BaseURL: "https://quayside.example.com/",
		})
		n.Event(engine.Event{App: "myapp", Kind: engine.EventCrashLooping, Release: 3, Process: "web.1", Message: "web.1 crashed 5 times", Time: at})
		eventually(t, func() bool { return rc.count() == 1 }, "one delivery")
		got := rc.requests()[0]
		assert.Equal(t, "application/json", got.contentType)
		assert.Equal(t, notify.Payload{
			Event: "process.crash_looping", App: "myapp", Release: 3, Process: "web.1",
			Message: "web.1 crashed 5 times", Time: "2025-03-04T04:06:07Z", Server: "box1",
			URL: "https://quayside.example.com/apps/myapp",
		}, decode[notify.Payload](t, got.body))
		raw := decode[map[string]any](t, got.body)
		for _, k := range []string{"event", "app", "release", "process", "message", "time", "server"} {
			assert.Contains(t, raw, k)
		}
	})

	t.Run("json server event without base URL", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), ServerName: "box1"})
		n.Event(engine.Event{Kind: engine.EventDiskLow, Message: "disk / is 93% full", Time: at})
		eventually(t, func() bool { return rc.count() == 1 }, "one delivery")
		p := decode[map[string]any](t, rc.requests()[0].body)
		assert.Equal(t, "server.disk_low", p["event"])
		assert.Equal(t, "", p["app"])
		assert.NotContains(t, p, "url")
	})

	t.Run("slack", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: notify.FormatSlack})})
		n.Event(engine.Event{App: "myapp", Kind: engine.EventDeployFailed, Release: 7, Message: "exit 1 <@channel> & more", Time: at})
		eventually(t, func() bool { return rc.count() == 1 }, "one delivery")
		got := rc.requests()[0]
		assert.Equal(t, "application/json", got.contentType)
		assert.Equal(t, map[string]string{"text": ":x: deploy of myapp v7 failed: exit 1 &lt;@channel&gt; &amp; more"},
			decode[map[string]string](t, got.body))
	})
}

func TestRetries(t *testing.T) {
	t.Run("backs off until success", func(t *testing.T) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		n := start(t, notify.Config{
			Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}),
			Retry:   []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, time.Hour},
		})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Delivered == 1 }, "delivered after retries")
		got := rc.requests()
		require.Len(t, got, 3)
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 40*time.Millisecond, "first wait is 50ms - 20%")
		assert.GreaterOrEqual(t, got[2].at.Sub(got[1].at), 120*time.Millisecond, "second wait is 150ms - 20%")
		assert.Equal(t, got[0].body, got[2].body, "a retry sends the same body")
		assert.Equal(t, notify.Stats{Delivered: 1}, n.Stats())
	})

	t.Run("retries 408, 429 and network errors", func(t *testing.T) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			switch n {
			case 0:
				w.WriteHeader(http.StatusRequestTimeout)
			case 1:
				w.WriteHeader(http.StatusTooManyRequests)
			case 2:
				panic(http.ErrAbortHandler) // the connection drops without an answer
			}
		})
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), Retry: []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Delivered == 1 }, "delivered on the fourth attempt")
		assert.Equal(t, 4, rc.count())
	})

	t.Run("honours Retry-After", func(t *testing.T) {
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			}
		})
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), Retry: []time.Duration{time.Millisecond}})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Delivered == 1 }, "delivered after Retry-After")
		got := rc.requests()
		require.Len(t, got, 2)
		assert.GreaterOrEqual(t, got[1].at.Sub(got[0].at), 990*time.Millisecond)
	})

	t.Run("no retry on 400", func(t *testing.T) {
		rc := newReceiver(t, status(http.StatusBadRequest))
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Failed == 1 }, "given up")
		assert.Equal(t, 1, rc.count())
	})

	t.Run("no redirect followed", func(t *testing.T) {
		target := newReceiver(t, nil)
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusFound)
		})
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Failed == 1 }, "given up")
		assert.Equal(t, 1, rc.count())
		assert.Zero(t, target.count())
	})

	t.Run("gives up when the schedule is spent", func(t *testing.T) {
		rc := newReceiver(t, status(http.StatusInternalServerError))
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), Retry: []time.Duration{time.Millisecond, time.Millisecond}})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Failed == 1 }, "given up")
		assert.Equal(t, 3, rc.count(), "one attempt and two retries")
	})

	t.Run("attempt timeout", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		rc := newReceiver(t, hang(release))
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), Timeout: 50 * time.Millisecond, Retry: []time.Duration{time.Millisecond}})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Failed == 1 }, "given up after two timeouts")
		assert.Equal(t, 2, rc.count())
	})
}

func TestEventNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rc := newReceiver(t, hang(release))
	n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})

	// A blocking Event would hang here for good (the receiver never
	// answers): the deadline only turns that hang into a failure.
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for range 10_000 {
			n.Event(failed)
		}
	}()
	select {
	case <-returned:
	case <-time.After(time.Minute):
		t.Fatal("Event blocked while the receiver hung")
	}
	// At most the event queue, the target's queue and one delivery in
	// flight (default QueueSize 1000) can hold alerts: the rest is dropped.
	assert.GreaterOrEqual(t, n.Stats().Dropped, uint64(10_000-2*notify.DefaultQueueSize-2))
	eventually(t, func() bool { return rc.count() == 1 }, "the first delivery hangs")
}

func TestQueueFullDropsAndCounts(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, hang(release))
	logs := &logBuffer{}
	n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"}), QueueSize: 2, Logger: logs.logger()})

	const sent = 20
	for range sent {
		n.Event(failed)
	}
	eventually(t, func() bool { return rc.count() == 1 }, "the first delivery hangs")
	assert.GreaterOrEqual(t, n.Stats().Dropped, uint64(sent-2*2-2))
	assert.Contains(t, logs.String(), "alert queue full")
	close(release)
	eventually(t, func() bool {
		s := n.Stats()
		return s.Delivered+s.Dropped == sent
	}, "every alert is delivered or counted as dropped")
	assert.Equal(t, int(n.Stats().Delivered), rc.count())
	assert.Zero(t, n.Stats().Failed)
}

func TestSlowTargetDoesNotDelayOthers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := newReceiver(t, hang(release))
	fast := newReceiver(t, nil)
	n := start(t, notify.Config{Targets: fixedTargets(
		notify.Target{URL: slow.URL, Format: "json"},
		notify.Target{URL: fast.URL, Format: "slack"},
	)})
	for range 5 {
		n.Event(failed)
	}
	eventually(t, func() bool { return n.Stats().Delivered == 5 }, "the fast target gets every alert")
	eventually(t, func() bool { return slow.count() == 1 }, "the slow target is on its first")
	assert.Equal(t, 5, fast.count())
	assert.Equal(t, uint64(5), n.Stats().Delivered, "the slow target's first is still hanging")
}

func TestFiltering(t *testing.T) {
	t.Run("kinds", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := start(t, notify.Config{Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})
		for _, kind := range []string{engine.EventDeployStarted, engine.EventDeploySucceeded, engine.EventCrashed, engine.EventScaled, engine.EventDestroyed} {
			n.Event(engine.Event{App: "myapp", Kind: kind})
		}
		n.Event(engine.Event{App: "myapp", Kind: engine.EventCertificateFailing, Message: "renewal failed"})
		eventually(t, func() bool { return n.Stats().Delivered == 1 }, "one delivery")
		require.Equal(t, 1, rc.count(), "only the alerting kind is sent")
		assert.Equal(t, engine.EventCertificateFailing, decode[notify.Payload](t, rc.requests()[0].body).Event)
	})

	t.Run("per app", func(t *testing.T) {
		server, appA, appB := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
		n := start(t, notify.Config{Targets: fixedTargets(
			notify.Target{URL: server.URL, Format: "json"},
			notify.Target{URL: appA.URL, Format: "json", App: "a"},
			notify.Target{URL: appB.URL, Format: "json", App: "b"},
		)})
		n.Event(engine.Event{App: "a", Kind: engine.EventDeployFailed})
		n.Event(engine.Event{App: "b", Kind: engine.EventCrashLooping})
		n.Event(engine.Event{Kind: engine.EventDiskLow})
		eventually(t, func() bool { return n.Stats().Delivered == 5 }, "five deliveries")
		assert.Equal(t, 3, server.count(), "the server target gets every alert")
		require.Equal(t, 1, appA.count())
		assert.Equal(t, "a", decode[notify.Payload](t, appA.requests()[0].body).App)
		require.Equal(t, 1, appB.count())
		assert.Equal(t, "b", decode[notify.Payload](t, appB.requests()[0].body).App)
	})

	t.Run("a URL listed twice gets one delivery", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := start(t, notify.Config{Targets: fixedTargets(
			notify.Target{URL: rc.URL, Format: "json"},
			notify.Target{URL: rc.URL, Format: "json", App: "myapp"},
		)})
		n.Event(failed)
		n.Event(engine.Event{App: "myapp", Kind: engine.EventCrashLooping})
		eventually(t, func() bool { return n.Stats().Delivered == 2 }, "two deliveries")
		assert.Equal(t, 2, rc.count())
	})

	t.Run("looks targets up by the event's app", func(t *testing.T) {
		rc := newReceiver(t, nil)
		asked := make(chan string, 2)
		n := start(t, notify.Config{Targets: func(_ context.Context, app string) ([]notify.Target, error) {
			asked <- app
			return []notify.Target{{URL: rc.URL, Format: "json"}}, nil
		}})
		n.Event(failed)
		n.Event(engine.Event{Kind: engine.EventDiskLow})
		assert.Equal(t, "myapp", <-asked)
		assert.Equal(t, "", <-asked)
	})

	t.Run("lookup error and invalid targets skip", func(t *testing.T) {
		rc := newReceiver(t, nil)
		logs := &logBuffer{}
		n := start(t, notify.Config{Logger: logs.logger(), Targets: func(_ context.Context, app string) ([]notify.Target, error) {
			if app == "broken" {
				return nil, errors.New("database is locked")
			}
			return []notify.Target{{URL: "ftp://x/y", Format: "json"}, {URL: rc.URL, Format: "xml"}, {URL: rc.URL, Format: "json"}}, nil
		}})
		n.Event(engine.Event{App: "broken", Kind: engine.EventDeployFailed})
		n.Event(failed)
		eventually(t, func() bool { return n.Stats().Delivered == 1 }, "the valid target is delivered")
		assert.Equal(t, 1, rc.count())
		assert.Contains(t, logs.String(), "database is locked")
		assert.Contains(t, logs.String(), "skip invalid alert target")
	})
}

func TestURLNeverLogged(t *testing.T) {
	refusing := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("no_service for " + "http://" + r.Host + r.URL.String()))
	})
	down := newReceiver(t, nil)
	down.Close() // connection refused: the client's error names the URL
	logs := &logBuffer{}
	n := start(t, notify.Config{Logger: logs.logger(), Targets: fixedTargets(
		notify.Target{URL: refusing.URL + "/services/T0/B0/SECRET1", Format: "slack"},
		notify.Target{URL: down.URL + "/services/T0/B0/SECRET2?token=SECRET3", Format: "json"},
	)})
	n.Event(failed)
	eventually(t, func() bool { return n.Stats().Failed == 2 }, "both given up")
	out := logs.String()
	assert.Contains(t, out, refusing.Listener.Addr().String())
	assert.Contains(t, out, "404 Not Found")
	assert.NotContains(t, out, "no_service", "the receiver's body is not quoted")
	assert.Contains(t, out, "connection refused")
	assert.NotContains(t, out, "SECRET")
}

func TestLifecycle(t *testing.T) {
	t.Run("events queued before Run are sent", func(t *testing.T) {
		rc := newReceiver(t, nil)
		n := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})
		n.Event(failed)
		done := make(chan error, 1)
		go func() { done <- n.Run(context.Background()) }()
		eventually(t, func() bool { return rc.count() == 1 }, "delivered")
		require.NoError(t, n.Close())
		require.NoError(t, <-done)
	})

	t.Run("Run ends with its context", func(t *testing.T) {
		n := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets()})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- n.Run(ctx) }()
		cancel()
		require.NoError(t, <-done)
		require.NoError(t, n.Close())
	})

	t.Run("Run twice or after Close fails", func(t *testing.T) {
		n := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets()})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		first := make(chan error, 1)
		go func() { first <- n.Run(ctx) }()
		second := n.Run(ctx)
		errs := []error{<-first, second}
		assert.Equal(t, 1, countNil(errs), "exactly one Run runs: %v", errs)
		assert.Error(t, n.Run(ctx), "Run after Run ended")
		require.NoError(t, n.Close())
		closed := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets()})
		require.NoError(t, closed.Close())
		require.NoError(t, closed.Close(), "Close is idempotent")
		assert.Error(t, closed.Run(context.Background()))
	})

	t.Run("Close aborts a hanging delivery and later events are ignored", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		rc := newReceiver(t, hang(release))
		n := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets(notify.Target{URL: rc.URL, Format: "json"})})
		done := make(chan error, 1)
		go func() { done <- n.Run(context.Background()) }()
		n.Event(failed)
		eventually(t, func() bool { return rc.count() == 1 }, "delivery in flight")
		require.NoError(t, n.Close())
		require.NoError(t, <-done)
		n.Event(failed)
		assert.Equal(t, notify.Stats{}, n.Stats())
	})
}

func countNil(errs []error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

func TestDropWarnsOncePerRun(t *testing.T) {
	logs := &logBuffer{}
	n := notify.New(notify.Config{Egress: loopbackOK, Targets: fixedTargets(), QueueSize: 2, Logger: logs.logger()})
	t.Cleanup(func() { _ = n.Close() })
	for range 20 { // nothing runs: the queue takes two
		n.Event(failed)
	}
	assert.Equal(t, notify.Stats{Dropped: 18}, n.Stats())
	assert.Equal(t, 1, countLines(logs.String(), "alert queue full"))
	assert.Contains(t, logs.String(), "dropped_total=1")
}
