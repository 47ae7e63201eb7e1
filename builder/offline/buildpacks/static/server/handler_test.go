package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site writes files (name -> content) under a new root, which sits inside a
// directory that also holds outside.txt, and returns the root.
func site(t *testing.T, files map[string]string) string {
	t.Helper()
	parent := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(parent, "outside.txt"), []byte("secret"), 0o644))
	root := filepath.Join(parent, "root")
	require.NoError(t, os.Mkdir(root, 0o755))
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

func newHandler(t *testing.T, root string) *Handler {
	t.Helper()
	h, err := NewHandler(root, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// do sends a request whose path is set as is (no client-side cleaning).
func do(h http.Handler, method, urlPath string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	r.URL.Path = urlPath
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var sample = map[string]string{
	"index.html":               "home page",
	"about.html":               "about page",
	"assets/app.3f9a2c1d.js":   "console.log(1)",
	"style.css":                "body{}",
	"docs/index.html":          "docs home",
	"empty/readme.txt":         "no index here",
	".env":                     "SECRET=1",
	".git/config":              "[core]",
	".well-known/security.txt": "Contact: x",
	"sub/.hidden/file.txt":     "hidden",
}

func TestServeFiles(t *testing.T) {
	h := newHandler(t, site(t, sample))
	tests := []struct {
		name     string
		path     string
		status   int
		body     string
		cache    string
		location string
	}{
		{"root serves index.html", "/", 200, "home page", revalidate, ""},
		{"index.html by name", "/index.html", 200, "home page", revalidate, ""},
		{"clean URL", "/about", 200, "about page", revalidate, ""},
		{"fingerprinted asset", "/assets/app.3f9a2c1d.js", 200, "console.log(1)", immutable, ""},
		{"plain asset", "/style.css", 200, "body{}", revalidate, ""},
		{"directory redirects to slash", "/docs", 301, "", "", "/docs/"},
		{"directory index", "/docs/", 200, "docs home", revalidate, ""},
		{"directory without index is not listed", "/empty/", 404, "404 Not Found", revalidate, ""},
		{"file in that directory", "/empty/readme.txt", 200, "no index here", revalidate, ""},
		{"missing file", "/nope.js", 404, "404 Not Found", revalidate, ""},
		{"missing clean URL", "/nope", 404, "404 Not Found", revalidate, ""},
		{"dotfile", "/.env", 404, "404 Not Found", revalidate, ""},
		{"dot directory", "/.git/config", 404, "404 Not Found", revalidate, ""},
		{"nested dot directory", "/sub/.hidden/file.txt", 404, "404 Not Found", revalidate, ""},
		{"well-known is served", "/.well-known/security.txt", 200, "Contact: x", revalidate, ""},
		{"dot-dot stays in the root", "/../outside.txt", 404, "404 Not Found", revalidate, ""},
		{"dot-dot inside a path", "/docs/../../outside.txt", 404, "404 Not Found", revalidate, ""},
		{"dot-dot to a real file", "/docs/../index.html", 200, "home page", revalidate, ""},
		{"backslash", `/..\outside.txt`, 404, "404 Not Found", revalidate, ""},
		{"NUL byte", "/index.html\x00.js", 404, "404 Not Found", revalidate, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, http.MethodGet, tt.path, nil)
			assert.Equal(t, tt.status, w.Code)
			assert.Contains(t, w.Body.String(), tt.body)
			assert.Equal(t, tt.cache, w.Header().Get("Cache-Control"))
			assert.Equal(t, tt.location, w.Header().Get("Location"))
			assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
		})
	}
}

func TestContentType(t *testing.T) {
	h := newHandler(t, site(t, sample))
	assert.Contains(t, do(h, http.MethodGet, "/", nil).Header().Get("Content-Type"), "text/html")
	assert.Contains(t, do(h, http.MethodGet, "/style.css", nil).Header().Get("Content-Type"), "text/css")
	assert.Contains(t, do(h, http.MethodGet, "/assets/app.3f9a2c1d.js", nil).Header().Get("Content-Type"), "javascript")
	assert.Contains(t, do(h, http.MethodGet, "/missing", nil).Header().Get("Content-Type"), "text/html")
}

func TestRedirectKeepsQueryAndStaysLocal(t *testing.T) {
	h := newHandler(t, site(t, sample))
	r := httptest.NewRequest(http.MethodGet, "/docs?lang=en", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusMovedPermanently, w.Code)
	assert.Equal(t, "/docs/?lang=en", w.Header().Get("Location"))

	// "//docs" must not become a protocol-relative redirect to another host.
	w = do(h, http.MethodGet, "//docs", nil)
	assert.Equal(t, "/docs/", w.Header().Get("Location"))
}

func TestConditionalRequests(t *testing.T) {
	root := site(t, sample)
	h := newHandler(t, root)

	first := do(h, http.MethodGet, "/style.css", nil)
	tag := first.Header().Get("ETag")
	require.NotEmpty(t, tag)
	assert.Regexp(t, `^"[A-Za-z0-9_-]+"$`, tag, "a strong ETag")
	assert.NotEmpty(t, first.Header().Get("Last-Modified"))

	t.Run("matching ETag answers 304", func(t *testing.T) {
		w := do(h, http.MethodGet, "/style.css", http.Header{"If-None-Match": {tag}})
		assert.Equal(t, http.StatusNotModified, w.Code)
		assert.Empty(t, w.Body.String())
	})
	t.Run("other ETag answers 200", func(t *testing.T) {
		w := do(h, http.MethodGet, "/style.css", http.Header{"If-None-Match": {`"other"`}})
		assert.Equal(t, http.StatusOK, w.Code)
	})
	t.Run("If-Modified-Since answers 304", func(t *testing.T) {
		w := do(h, http.MethodGet, "/style.css", http.Header{"If-Modified-Since": {first.Header().Get("Last-Modified")}})
		assert.Equal(t, http.StatusNotModified, w.Code)
	})
	t.Run("new content gets a new ETag", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(root, "style.css"), []byte("body{color:red}"), 0o644))
		w := do(h, http.MethodGet, "/style.css", http.Header{"If-None-Match": {tag}})
		assert.Equal(t, http.StatusOK, w.Code)
		assert.NotEqual(t, tag, w.Header().Get("ETag"))
	})
	t.Run("same content, same ETag across handlers", func(t *testing.T) {
		other := newHandler(t, site(t, sample))
		assert.Equal(t, do(other, http.MethodGet, "/index.html", nil).Header().Get("ETag"),
			do(h, http.MethodGet, "/index.html", nil).Header().Get("ETag"))
	})
}

func TestBuildpackTimestampsSendNoLastModified(t *testing.T) {
	root := site(t, sample)
	epoch := time.Date(1980, 1, 1, 0, 0, 1, 0, time.UTC)
	require.NoError(t, os.Chtimes(filepath.Join(root, "style.css"), epoch, epoch))
	h := newHandler(t, root)

	w := do(h, http.MethodGet, "/style.css", nil)
	assert.Empty(t, w.Header().Get("Last-Modified"))
	assert.NotEmpty(t, w.Header().Get("ETag"))
	// An old If-Modified-Since must not turn changed content into a 304.
	w = do(h, http.MethodGet, "/style.css", http.Header{"If-Modified-Since": {epoch.Add(time.Hour).Format(http.TimeFormat)}})
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestMethods(t *testing.T) {
	h := newHandler(t, site(t, sample))
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		t.Run(m, func(t *testing.T) {
			w := do(h, m, "/", nil)
			assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
			assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		w := do(h, http.MethodHead, "/", nil)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Empty(t, w.Body.String())
		w = do(h, http.MethodHead, "/missing", nil)
		assert.Equal(t, http.StatusNotFound, w.Code)
		assert.Empty(t, w.Body.String())
	})
}

func TestRange(t *testing.T) {
	h := newHandler(t, site(t, sample))
	w := do(h, http.MethodGet, "/index.html", http.Header{"Range": {"bytes=0-3"}})
	assert.Equal(t, http.StatusPartialContent, w.Code)
	assert.Equal(t, "home", w.Body.String())
}

func TestCustomNotFoundPage(t *testing.T) {
	files := map[string]string{"index.html": "home", "404.html": "<h1>lost at sea</h1>"}
	h := newHandler(t, site(t, files))
	w := do(h, http.MethodGet, "/missing", nil)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "<h1>lost at sea</h1>", w.Body.String())
}

func TestSymlinksOutsideTheRoot(t *testing.T) {
	root := site(t, map[string]string{"index.html": "home", "real.txt": "inside"})
	require.NoError(t, os.Symlink("../outside.txt", filepath.Join(root, "escape.txt")))
	require.NoError(t, os.Symlink("..", filepath.Join(root, "up")))
	require.NoError(t, os.Symlink("real.txt", filepath.Join(root, "alias.txt")))
	h := newHandler(t, root)

	assert.Equal(t, http.StatusNotFound, do(h, http.MethodGet, "/escape.txt", nil).Code)
	assert.Equal(t, http.StatusNotFound, do(h, http.MethodGet, "/up/outside.txt", nil).Code)
	w := do(h, http.MethodGet, "/alias.txt", nil)
	assert.Equal(t, http.StatusOK, w.Code, "a symlink inside the root is followed")
	assert.Equal(t, "inside", w.Body.String())
}

func TestNewHandlerMissingRoot(t *testing.T) {
	_, err := NewHandler(filepath.Join(t.TempDir(), "nope"), nil)
	require.ErrorContains(t, err, "open site root")
}
