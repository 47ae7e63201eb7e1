package docker

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// busyDaemon answers GET /system/df as a Docker daemon that refuses the
// first busy calls with status and message (another client's disk-usage
// computation is running), then lists one image of instance "cafe".
type busyDaemon struct {
	busy    int
	status  int
	message string
	calls   atomic.Int32
	called  chan struct{} // when not nil, told of every call
}

func (d *busyDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/system/df") {
		http.NotFound(w, r)
		return
	}
	n := d.calls.Add(1)
	if d.called != nil {
		d.called <- struct{}{}
	}
	w.Header().Set("Content-Type", "application/json")
	if int(n) <= d.busy {
		w.WriteHeader(d.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": d.message})
		return
	}
	_ = json.NewEncoder(w).Encode(types.DiskUsage{Images: []*image.Summary{{
		ID: "sha256:beef", RepoTags: []string{"qs-cafe/shop:v1"}, Size: 42, SharedSize: -1,
		Labels: map[string]string{dockernames.LabelInstance: "cafe", dockernames.LabelApp: "shop", dockernames.LabelRelease: "1"},
	}}})
}

// busyRuntime is a Runtime of instance "cafe" on d that waits backoff
// first and keeps asking a busy daemon for busyFor.
func busyRuntime(t *testing.T, d *busyDaemon, backoff, busyFor time.Duration) *Runtime {
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithVersion("1.41"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	r := New(cli, "cafe", nil)
	r.busyBackoff, r.busyFor = backoff, busyFor
	return r
}

// The Docker 20.10 daemon's words when two disk-usage calls overlap.
const busyMessage = "a disk usage operation is already running"

func TestDiskUsageWaitsForABusyDaemon(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
	}{{"Engine 20.10: a plain error", http.StatusInternalServerError}, {"a conflict", http.StatusConflict}} {
		t.Run(tt.name, func(t *testing.T) {
			d := &busyDaemon{busy: 3, status: tt.status, message: busyMessage}
			r := busyRuntime(t, d, time.Millisecond, time.Minute)
			imgs, err := r.Images(t.Context())
			require.NoError(t, err)
			require.Len(t, imgs, 1)
			assert.Equal(t, "shop", imgs[0].App)
			assert.EqualValues(t, 4, d.calls.Load(), "asked again until the daemon answered")
		})
	}
}

func TestDiskUsageDoesNotRetryOtherErrors(t *testing.T) {
	d := &busyDaemon{busy: 1, status: http.StatusInternalServerError, message: "write /var/lib/docker/x: no space left on device"}
	r := busyRuntime(t, d, time.Millisecond, time.Minute)
	_, err := r.Images(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no space left on device")
	assert.EqualValues(t, 1, d.calls.Load())
}

func TestDiskUsageGivesUpOnADaemonBusyTooLong(t *testing.T) {
	d := &busyDaemon{busy: 1 << 30, status: http.StatusInternalServerError, message: busyMessage}
	r := busyRuntime(t, d, time.Millisecond, 20*time.Millisecond)
	_, err := r.BuildCaches(t.Context())
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "Docker is still busy computing disk usage for another client")
	require.Error(t, errors.Unwrap(err))
	assert.Contains(t, errors.Unwrap(err).Error(), busyMessage, "the daemon's words stay in the chain")
	assert.GreaterOrEqual(t, d.calls.Load(), int32(2), "asked again at least once")
}

func TestDiskUsageStopsWaitingWhenCancelled(t *testing.T) {
	d := &busyDaemon{busy: 1 << 30, status: http.StatusConflict, message: busyMessage, called: make(chan struct{}, 1)}
	r := busyRuntime(t, d, time.Hour, 10*time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := r.Images(ctx)
		done <- err
	}()
	<-d.called // refused once; now waiting an hour to ask again
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 1, d.calls.Load())
}
