package engine_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// statusServer answers every request with status, recording the last path
// and User-Agent it saw.
func statusServer(t *testing.T, status int) (addr string, seen chan *http.Request) {
	seen = make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seen <- r:
		default:
		}
		if status/100 == 3 {
			w.Header().Set("Location", "/broken")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), seen
}

func TestHTTPHealthCheckCountsAnswersBelow500AsHealthy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		healthy bool
	}{
		{200, true}, {204, true}, {302, true}, {401, true}, {404, true}, {499, true},
		{500, false}, {502, false}, {503, false}, {599, false},
	} {
		t.Run(http.StatusText(tc.status)+"_"+strconv.Itoa(tc.status), func(t *testing.T) {
			addr, seen := statusServer(t, tc.status)
			err := engine.NewHTTPHealthChecker().Check(context.Background(), addr, "/up?x=1")
			if tc.healthy {
				assert.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "GET /up?x=1 answered "+strconv.Itoa(tc.status))
			}
			r := <-seen
			assert.Equal(t, "/up?x=1", r.URL.RequestURI(), "the configured path is asked, not a redirect's target")
			assert.Equal(t, "Quayside-HealthCheck", r.UserAgent())
		})
	}
}

// hangingServer accepts requests and answers none until the client leaves
// (or, so that a checker without a timeout fails rather than hangs the
// suite, for 10 seconds: then it answers 200).
func hangingServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestHTTPHealthCheckGivesUpOnAnAppThatDoesNotAnswer(t *testing.T) {
	t.Parallel()
	t.Run("its own timeout, whatever the caller's context", func(t *testing.T) {
		t.Parallel()
		err := engine.NewHTTPHealthChecker().Check(context.Background(), hangingServer(t), "/")
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout(), "the probe timed out: %v", err)
	})
	t.Run("the caller's deadline", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := engine.NewHTTPHealthChecker().Check(ctx, hangingServer(t), "/")
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	})
	t.Run("nothing listens", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		require.NoError(t, l.Close())
		assert.Error(t, engine.NewHTTPHealthChecker().Check(context.Background(), addr, "/"))
	})
}
