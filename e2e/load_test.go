package e2e

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// load sends requests to an app from several keep-alive clients until
// stopped, counting answers per second and every failure.
type load struct {
	s        *server
	app      string
	ok, fail atomic.Int64
	mu       sync.Mutex
	failures []string
	perSec   []int64
	done     chan struct{}
	wg       sync.WaitGroup
}

// startLoad starts workers clients requesting app's /.
func (s *server) startLoad(app string, workers int) *load {
	l := &load{s: s, app: app, done: make(chan struct{})}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for range workers {
		l.wg.Add(1)
		go l.work(client)
	}
	l.wg.Add(1)
	go l.count()
	return l
}

func (l *load) work(client *http.Client) {
	defer l.wg.Done()
	for {
		select {
		case <-l.done:
			return
		default:
		}
		if err := l.once(client); err != nil {
			l.fail.Add(1)
			l.mu.Lock()
			l.failures = append(l.failures, err.Error())
			l.mu.Unlock()
		} else {
			l.ok.Add(1)
		}
	}
}

func (l *load) once(client *http.Client) error {
	req, _ := http.NewRequest(http.MethodGet, "http://"+l.s.httpAddr+"/", nil)
	req.Host = l.app + ".localhost"
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// count records how many requests succeeded in each second.
func (l *load) count() {
	defer l.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := int64(0)
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			n := l.ok.Load()
			l.mu.Lock()
			l.perSec = append(l.perSec, n-last)
			l.mu.Unlock()
			last = n
		}
	}
}

// stop ends the load and returns the failures.
func (l *load) stop() []string {
	close(l.done)
	l.wg.Wait()
	return l.failures
}

// minRate is the lowest number of successful requests in any whole second.
func (l *load) minRate() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.perSec) == 0 {
		return 0
	}
	m := l.perSec[0]
	for _, n := range l.perSec {
		m = min(m, n)
	}
	return m
}

// TestZeroDowntime redeploys, changes config and rolls back while clients
// hammer the app: not one request may fail.
func TestZeroDowntime(t *testing.T) {
	s := startServer(t)
	repo := sampleRepo(t, "v")
	s.mustPush(repo, "app")
	l := s.startLoad("app", 4)
	for i := range 3 {
		writeFile(t, repo, "message.txt", fmt.Sprintf("v%d", i))
		commitAll(t, repo, "redeploy")
		s.mustPush(repo, "app")
	}
	s.mustCLI("config", "set", "app", "GREETING=!")
	s.mustCLI("rollback", "app")
	failures := l.stop()
	t.Logf("%d requests, lowest rate %d/s", l.ok.Load(), l.minRate())
	assert.Empty(t, failures)
	assert.Positive(t, l.ok.Load())
}
