package dockerfile

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockertest"
)

func TestLostIntermediate(t *testing.T) {
	tests := []struct {
		failure string
		want    bool
	}{
		{`unable to find image "sha256:d9318e1f43871e8d41854fc6adde882e51dcaca3c7aab074c139e0a1ca9e9511"`, true},
		{`No such image: sha256:36bdf39886f98309d4cc294c752120301799303f0db47b316be2d1d1971730da`, true},
		{`failed to get destination image "sha256:ab12": No such image: sha256:ab12`, true},
		{`unable to find image sha256:ab12: No such image: sha256:ab12`, true},
		// Engine 20.10.24 with "docker rmi" of the cached image alongside.
		{`failed to get digest sha256:af91b3ebb792fac896dc87bdf316181de1c721525013dee19fab8df3475d8d73: open /var/lib/docker/image/overlay2/imagedb/content/sha256/af91b3ebb792fac896dc87bdf316181de1c721525013dee19fab8df3475d8d73: no such file or directory`, true},
		{`The command '/bin/sh -c make' returned a non-zero code: 2`, false},
		{`No such image: alpine:3`, false},
		{`unable to find image "alpine:3"`, false},
		{`pull access denied for nothere, repository does not exist or may require 'docker login'`, false},
		{`COPY failed: file not found in build context or excluded by .dockerignore: stat a: file does not exist`, false},
		{`failed to register layer: write /x: no space left on device`, false},
		{``, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lostIntermediate(tt.failure), tt.failure)
	}
}

// Scripted answers of the fake daemon to a build.
const (
	lostFailure  = `unable to find image "sha256:0123456789abcdef"`
	streamSteps  = `{"stream":"Step 1/2 : FROM scratch\n"}{"stream":" ---> \n"}{"stream":"Step 2/2 : COPY a /a\n"}`
	streamLost   = streamSteps + `{"errorDetail":{"message":"unable to find image \"sha256:0123456789abcdef\""},"error":"unable to find image \"sha256:0123456789abcdef\""}`
	streamBuilt  = streamSteps + `{"stream":" ---> feed\n"}{"aux":{"ID":"sha256:feed"}}{"stream":"Successfully built feed\n"}`
	streamFailed = streamSteps + `{"errorDetail":{"message":"COPY failed: no source files were specified"},"error":"COPY failed: no source files were specified"}`
)

// fakeDaemon is an httptest server speaking the part of the Docker API a
// Dockerfile build uses: each POST /build reads the whole build context
// and is answered with the next of its scripted answers (the last one
// repeats); GET /images/{id}/json describes the built image.
type fakeDaemon struct {
	mu       sync.Mutex
	answers  []func(w http.ResponseWriter)
	contexts [][]string // per build, the names of the files in its context
	noCache  []bool     // per build, whether it asked for no cache
}

// stream answers a build with a JSON stream, as the daemon does even when
// the build fails.
func stream(s string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, s)
	}
}

// refuse answers a build with an HTTP error.
func refuse(status int, msg string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
	}
}

// newFakeDaemon starts a fake daemon and returns a Builder using it.
func newFakeDaemon(t *testing.T, answers ...func(w http.ResponseWriter)) (*fakeDaemon, *Builder) {
	d := &fakeDaemon{answers: answers}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.41/build", d.build)
	mux.HandleFunc("GET /v1.41/images/{id}/json", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"Id":"`+r.PathValue("id")+`","Config":{"ExposedPorts":{"8080/tcp":{}}}}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cli, err := client.NewClientWithOpts(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithVersion("1.41"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	return d, New(cli, "fake", nil)
}

func (d *fakeDaemon) build(w http.ResponseWriter, r *http.Request) {
	var names []string
	tr := tar.NewReader(r.Body)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	d.mu.Lock()
	d.contexts = append(d.contexts, names)
	d.noCache = append(d.noCache, r.URL.Query().Get("nocache") == "1")
	answer := d.answers[min(len(d.contexts), len(d.answers))-1]
	d.mu.Unlock()
	answer(w)
}

// builds returns the contexts of the builds the daemon was asked for.
func (d *fakeDaemon) builds() [][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.contexts
}

// countingSource counts the archives made of a directory.
type countingSource struct {
	dockertest.DirSource
	archived *atomic.Int32
}

func (s countingSource) Archive(ctx context.Context, w io.Writer) error {
	s.archived.Add(1)
	return s.DirSource.Archive(ctx, w)
}

func newCountingSource(t *testing.T) countingSource {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY a /a\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a"), []byte("a"), 0o644))
	return countingSource{DirSource: dockertest.DirSource{Dir: dir}, archived: new(atomic.Int32)}
}

func fakeBuild(ctx context.Context, t *testing.T, b *Builder, src engine.Source) (*engine.Image, *output, error) {
	out := newOutput("")
	img, err := b.Build(ctx, engine.BuildRequest{App: "shop", Release: 2, Commit: "0123456789abcdef", Source: src, Output: out})
	return img, out, err
}

func TestBuildRetriesWhenDockerLostAnImage(t *testing.T) {
	t.Run("in the build output", func(t *testing.T) {
		d, b := newFakeDaemon(t, stream(streamLost), stream(streamBuilt))
		src := newCountingSource(t)
		img, out, err := fakeBuild(context.Background(), t, b, src)
		require.NoError(t, err)
		assert.Equal(t, "sha256:feed", img.Ref)
		assert.Equal(t, 8080, img.Port)

		builds := d.builds()
		require.Len(t, builds, 2)
		for _, names := range builds {
			assert.ElementsMatch(t, []string{"Dockerfile", "a"}, names, "the whole context is sent again")
		}
		assert.Equal(t, int32(1+2), src.archived.Load(), "read for the Dockerfile, then archived again for each build, not kept")
		d.mu.Lock()
		assert.Equal(t, []bool{false, true}, d.noCache, "the second build does not walk the cache being removed")
		d.mu.Unlock()

		text := out.text()
		assert.Equal(t, 1, strings.Count(text, retryNote+"\n"))
		before, after, _ := strings.Cut(text, retryNote)
		assert.Contains(t, before, "Step 2/2 : COPY a /a")
		assert.Contains(t, after, "Successfully built feed")
		assert.Equal(t, len(out.writes), out.flushes, "the note is flushed like every line")
	})
	t.Run("in the answer to the request", func(t *testing.T) {
		d, b := newFakeDaemon(t, refuse(http.StatusNotFound, "No such image: sha256:0123456789abcdef"), stream(streamBuilt))
		img, out, err := fakeBuild(context.Background(), t, b, newCountingSource(t))
		require.NoError(t, err)
		assert.Equal(t, "sha256:feed", img.Ref)
		assert.Len(t, d.builds(), 2)
		assert.Contains(t, out.text(), retryNote)
	})
}

func TestBuildLosingAnImageTwiceFails(t *testing.T) {
	d, b := newFakeDaemon(t, stream(streamLost))
	src := newCountingSource(t)
	_, out, err := fakeBuild(context.Background(), t, b, src)
	require.Error(t, err)

	assert.Len(t, d.builds(), buildAttempts, "retried once, not more")
	assert.Equal(t, int32(1+buildAttempts), src.archived.Load())
	assert.Equal(t, 1, strings.Count(out.text(), retryNote))
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "the server is at fault, not the Dockerfile")
	msg := engine.ErrorMessage(err)
	assert.Contains(t, msg, "the Dockerfile build failed 2 times because Docker removed an image the build was using")
	assert.Contains(t, msg, "push again")
	assert.Contains(t, msg, "Last lines of the build output:\nStep 1/2 : FROM scratch")
	assert.Equal(t, lostFailure, engine.ErrorDetail(err), "the daemon's words stay as the detail")
	var lost *lostImage
	assert.False(t, errors.As(err, &lost), "the internal error does not escape")
}

func TestBuildOtherFailuresAreNotRetried(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		code   string
		words  string
	}{
		{"a step fails", stream(streamFailed), engine.EDEPLOYFAILED, "Dockerfile build failed: COPY failed: no source files were specified"},
		{"a base image by name is missing",
			stream(`{"errorDetail":{"message":"No such image: alpine:3"},"error":"No such image: alpine:3"}`),
			engine.EDEPLOYFAILED, "the image is gone"},
		{"the disk is full",
			stream(`{"errorDetail":{"message":"failed to register layer: no space left on device"}}`),
			engine.EUNAVAILABLE, "the disk of the server is full"},
		{"the daemon refuses the request", refuse(http.StatusBadRequest, "dockerfile parse error line 1: unknown instruction: FORM"),
			engine.EDEPLOYFAILED, "unknown instruction: FORM"},
		{"the daemon errs", refuse(http.StatusInternalServerError, "something broke"), engine.EINTERNAL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A second build would succeed: only a retry could hide the failure.
			d, b := newFakeDaemon(t, tt.answer, stream(streamBuilt))
			_, out, err := fakeBuild(context.Background(), t, b, newCountingSource(t))
			require.Error(t, err)
			assert.Len(t, d.builds(), 1)
			assert.NotContains(t, out.text(), retryNote)
			assert.Equal(t, tt.code, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tt.words)
		})
	}
}

func TestBuildCancelledIsNotRetried(t *testing.T) {
	d, b := newFakeDaemon(t, stream(streamLost), stream(streamBuilt))
	ctx, cancel := context.WithCancel(context.Background())
	out := &cancelOnLine{output: newOutput(""), line: "Step 2/2", cancel: cancel}
	_, err := b.Build(ctx, engine.BuildRequest{App: "shop", Release: 2, Source: newCountingSource(t), Output: out})
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, d.builds(), 1)
	assert.NotContains(t, out.text(), retryNote)
}

// cancelOnLine cancels a build once its output shows line.
type cancelOnLine struct {
	*output
	line   string
	cancel context.CancelFunc
}

func (c *cancelOnLine) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.line) {
		c.cancel()
	}
	return c.output.Write(p)
}
