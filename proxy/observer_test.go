package proxy

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// inFlightObserver records requests and keeps each app's count of
// requests in flight, and the highest count seen.
type inFlightObserver struct {
	recordingObserver
	mu       sync.Mutex
	inFlight map[string]int
	peak     map[string]int
	started  []string
}

func newInFlightObserver() *inFlightObserver {
	return &inFlightObserver{inFlight: map[string]int{}, peak: map[string]int{}}
}

func (o *inFlightObserver) RequestStarted(app string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight[app]++
	o.peak[app] = max(o.peak[app], o.inFlight[app])
	o.started = append(o.started, app)
}

func (o *inFlightObserver) RequestDone(app string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight[app]--
}

func (o *inFlightObserver) count(app string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.inFlight[app]
}

func (o *inFlightObserver) peakOf(app string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peak[app]
}

func (o *inFlightObserver) reported() int {
	o.recordingObserver.mu.Lock()
	defer o.recordingObserver.mu.Unlock()
	return len(o.infos)
}

func TestObserverCountsBytes(t *testing.T) {
	obs := newInFlightObserver()
	p, srv := newTestProxy(t, Options{Observer: obs})
	echo := startBackend(t, "echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write([]byte("got:"))
		_, _ = w.Write(b)
	})
	p.SetRoute(engine.Route{App: "echo", Hosts: []string{"echo.example.test"}, Backends: []string{addrOf(echo)}})
	c := newClient()

	for _, tc := range []struct {
		name, method, body string
	}{
		{"lean path", http.MethodGet, ""},
		{"generic path", http.MethodPost, strings.Repeat("x", 100_000)},
		{"generic path chunked", http.MethodPost, "chunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := obs.reported()
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
				if strings.HasSuffix(tc.name, "chunked") {
					body = io.MultiReader(body) // unknown length: sent chunked
				}
			}
			r := do(t, c, tc.method, srv.URL, "echo.example.test", body)
			require.Equal(t, http.StatusOK, r.status)
			eventually(t, 5*time.Second, "the request reported", func() bool { return obs.reported() > before })
			got := obs.last()
			assert.Equal(t, "echo", got.App)
			assert.Equal(t, int64(len(tc.body)), got.BytesIn)
			assert.Equal(t, int64(len("got:")+len(tc.body)), got.BytesOut)
		})
	}
}

func TestObserverInFlight(t *testing.T) {
	obs := newInFlightObserver()
	p, srv := newTestProxy(t, Options{Observer: obs, ControlHost: "quayside.example.test", Control: http.NotFoundHandler()})
	release := make(chan struct{})
	slow := startBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		_, _ = io.WriteString(w, "done")
	})
	p.SetRoute(engine.Route{App: "slow", Hosts: []string{"slow.example.test"}, Backends: []string{addrOf(slow)}})
	p.SetRoute(engine.Route{App: "empty", Hosts: []string{"empty.example.test"}})
	c := newClient()

	t.Run("counts requests until they finish", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { assert.Equal(t, http.StatusOK, getStatus(c, srv.URL, "slow.example.test")) })
		}
		eventually(t, 5*time.Second, "3 requests in flight", func() bool { return obs.count("slow") == 3 })
		close(release)
		wg.Wait()
		eventually(t, 5*time.Second, "none in flight", func() bool { return obs.count("slow") == 0 })
		assert.Equal(t, 3, obs.peakOf("slow"))
	})
	t.Run("an app without backends is counted and released", func(t *testing.T) {
		r := get(t, c, srv.URL, "empty.example.test")
		require.Equal(t, http.StatusServiceUnavailable, r.status)
		eventually(t, 5*time.Second, "none in flight", func() bool { return obs.count("empty") == 0 })
		assert.Equal(t, 1, obs.peakOf("empty"))
	})
	t.Run("unknown and control hosts are not counted", func(t *testing.T) {
		obs.mu.Lock()
		obs.started = nil
		obs.mu.Unlock()
		before := obs.reported()
		get(t, c, srv.URL, "nobody.example.test")
		get(t, c, srv.URL, "quayside.example.test")
		eventually(t, 5*time.Second, "both reported", func() bool { return obs.reported() >= before+2 })
		obs.mu.Lock()
		defer obs.mu.Unlock()
		assert.Empty(t, obs.started)
		assert.Equal(t, "quayside.example.test", obs.last().Host)
		assert.Empty(t, obs.last().App)
	})
}

func TestObserverAbortedRequest(t *testing.T) {
	obs := newInFlightObserver()
	p, srv := newTestProxy(t, Options{Observer: obs})
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	a := startBackend(t, "hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	p.SetRoute(engine.Route{App: "hang", Hosts: []string{"hang.example.test"}, Backends: []string{addrOf(a)}})
	ctx, cancel := contextWithTimeout(t, 200*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Host = "hang.example.test"
	_, err = newClient().Do(req)
	require.Error(t, err)
	eventually(t, 5*time.Second, "the aborted request reported", func() bool { return obs.reported() == 1 })
	assert.Equal(t, "hang", obs.last().App)
	assert.Contains(t, []int{0, http.StatusBadGateway}, obs.last().Status)
	assert.Zero(t, obs.count("hang"))
}

// getStatus is get for other goroutines than the test's: it returns the
// status, 0 on error.
func getStatus(c *http.Client, url, host string) int {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	req.Host = host
	res, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
