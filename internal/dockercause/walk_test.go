package dockercause_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/internal/syncbuf"
	"github.com/quayside/quayside/store"
)

// walk is one way Docker fails during a first push, and what the pusher
// must read about it.
type walk struct {
	docker *fakeDocker
	down   bool     // the daemon does not answer at all
	read   []string // in the message the pusher reads
	detail string   // the daemon's own text, in the release output and the log
	// inRecord: the detail is in the release's recorded error, as the
	// message itself carries it (an exit code), not in the output.
	inRecord bool
}

func walks() map[string]walk {
	fail := func(route string, status int, msg string) *fakeDocker {
		return &fakeDocker{fail: map[string]daemonError{route: {status, msg}}}
	}
	return map[string]walk{
		"address pools exhausted": {
			docker: fail("network create", 500, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network"),
			read:   []string{"starting web.1 failed: creating the app network failed", "no free address pool", "--app-subnets"},
			detail: "non-overlapping IPv4 address pool",
		},
		"disk full": {
			docker: fail("create", 500, "mkdir /var/lib/docker/overlay2/4f2a-init: no space left on device"),
			read:   []string{"starting web.1 failed: creating the container failed", "disk of the server is full", "free space"},
			detail: "/var/lib/docker/overlay2/4f2a-init: no space left on device",
		},
		"image missing": {
			docker: fail("image", 404, "No such image: img1:latest"),
			read:   []string{"starting web.1 failed", "image of v1 is gone", "redeploy with git push"},
			detail: "No such image: img1:latest",
		},
		"daemon unreachable": {
			down:   true,
			read:   []string{"listing the containers of shop failed", "cannot reach the Docker daemon", "systemctl start docker"},
			detail: "list containers: ",
		},
		"port already allocated": {
			docker: fail("start", 500, "driver failed programming external connectivity on endpoint qs-1: Bind for 127.0.0.1:32768 failed: port is already allocated"),
			read:   []string{"starting web.1 failed: starting the container failed", "host port the container needs is already taken"},
			detail: "Bind for 127.0.0.1:32768 failed: port is already allocated",
		},
		"port range exhausted": {
			docker: fail("start", 500, "driver failed programming external connectivity on endpoint qs-1: all ports are allocated"),
			read:   []string{"starting web.1 failed: starting the container failed", "no free host port", "ip_local_port_range"},
			detail: "all ports are allocated",
		},
		"cannot allocate memory": {
			docker: fail("start", 500, "OCI runtime create failed: runc create failed: unable to start container process: fork/exec /proc/self/exe: cannot allocate memory: unknown"),
			read:   []string{"starting web.1 failed: starting the container failed", "server is out of memory", "quayside ps scale"},
			detail: "fork/exec /proc/self/exe: cannot allocate memory",
		},
		"container killed out of memory while starting": {
			docker:   &fakeDocker{oomKill: true},
			read:     []string{"web.1", "killed while booting (exit code 137)", "ran out of memory", "quayside ps limits shop web memory="},
			detail:   "exit code 137",
			inRecord: true,
		},
	}
}

// TestPushReportsDockerFailuresInPlainWords walks each Docker failure a
// push can meet through a fake Docker daemon, the real runtime and the
// engine, and checks what the pusher reads: which step failed, why and
// what to do, never "Internal error."; the daemon's text stays in the
// release output and the server log.
func TestPushReportsDockerFailuresInPlainWords(t *testing.T) {
	for name, w := range walks() {
		t.Run(name, func(t *testing.T) {
			p := newPusher(t, w)
			out, err := p.push()
			require.Error(t, err)
			msg := engine.ErrorMessage(err)
			assert.NotContains(t, msg, "Internal error")
			assert.Contains(t, msg, "v1 failed: ")
			for _, words := range w.read {
				assert.Contains(t, msg, words)
			}
			assert.NotEqual(t, engine.EINTERNAL, engine.ErrorCode(err))
			assert.NotContains(t, out, "Internal error")

			rel, ferr := p.db.FindRelease(context.Background(), "shop", 1)
			require.NoError(t, ferr)
			assert.Equal(t, engine.ReleaseFailed, rel.Status)
			assert.Contains(t, rel.Error, w.read[len(w.read)-1], "the release records the user's message")
			saved, oerr := p.db.ReleaseOutput(context.Background(), "shop", 1)
			require.NoError(t, oerr)
			if w.inRecord {
				saved = rel.Error
			}
			assert.Contains(t, saved, w.detail, "the release keeps the technical detail")
			assert.Contains(t, p.log.String(), w.detail, "the server log keeps the technical detail")
		})
	}
}

// pusher is an engine on a real store and the real Docker runtime, whose
// client talks to a fake daemon.
type pusher struct {
	t   *testing.T
	eng *engine.Engine
	db  *store.DB
	log *syncbuf.Buffer
	srv *httptest.Server
}

// newHealthyPusher is a pusher on d whose containers pass the health check.
func newHealthyPusher(t *testing.T, d *fakeDocker) *pusher {
	return newPusherWith(t, walk{docker: d}, alwaysHealthy{})
}

func newPusher(t *testing.T, w walk) *pusher {
	return newPusherWith(t, w, neverHealthy{})
}

func newPusherWith(t *testing.T, w walk, health engine.HealthChecker) *pusher {
	d := w.docker
	if d == nil {
		d = &fakeDocker{}
	}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	if w.down {
		srv.Close()
	}
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithVersion("1.43"))
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	logs := &syncbuf.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	eng := engine.New(engine.Config{
		Store: db, Runtime: docker.New(cli, "abcd1234", logger), Builder: &enginetest.Builder{},
		Router: enginetest.NewRouter(), Health: health, Domain: "example.test",
		StopGrace: time.Millisecond, Logger: logger,
	})
	require.NoError(t, eng.PreparePush(context.Background(), "shop", "alice"))
	return &pusher{t: t, eng: eng, db: db, log: logs, srv: srv}
}

// push pushes commit img1 (the fake builder's image) to app shop.
func (p *pusher) push() (string, error) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := p.eng.Push(ctx, engine.PushRequest{
		App: "shop", Ref: "refs/heads/main", NewCommit: "img1", Author: "alice",
		Source: enginetest.Source{}, Output: &out,
	})
	return out.String(), err
}

// neverHealthy is a health check that no container passes.
type neverHealthy struct{}

func (neverHealthy) Check(context.Context, string, string) error {
	return errors.New("connection refused")
}

// alwaysHealthy is a health check that every container passes.
type alwaysHealthy struct{}

func (alwaysHealthy) Check(context.Context, string, string) error { return nil }

var _ http.Handler = (*fakeDocker)(nil)
