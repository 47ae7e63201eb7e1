package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// defaultNotFound is the not-found page of a site without a 404.html.
var defaultNotFound = []byte(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head>
<body><h1>404 Not Found</h1><p>There is no page at this address.</p></body></html>
`)

// Handler serves the files under one directory. It is safe for concurrent use.
type Handler struct {
	root     *os.Root
	notFound []byte
	etags    etagCache
	log      *slog.Logger
}

// NewHandler serves dir; a 404.html at its top is the not-found page. Close
// releases the directory. log may be nil.
func NewHandler(dir string, log *slog.Logger) (*Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open site root: %w", err)
	}
	h := &Handler{root: root, notFound: defaultNotFound, log: log}
	if page, err := h.readFile("404.html"); err == nil {
		h.notFound = page
	}
	return h, nil
}

// Close releases the site's directory.
func (h *Handler) Close() error { return h.root.Close() }

// ServeHTTP answers GET and HEAD with the file the path names.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanPath(r.URL.Path)
	if !ok {
		h.serveNotFound(w, r)
		return
	}
	if h.isDir(name) {
		h.serveDir(w, r, name)
		return
	}
	if h.serveFile(w, r, name) {
		return
	}
	// Clean URLs: /about answers with about.html.
	if path.Ext(name) == "" && h.serveFile(w, r, name+".html") {
		return
	}
	h.serveNotFound(w, r)
}

// cleanPath turns a URL path into a name under the root ("." for the root
// itself). It refuses NUL bytes, backslashes and dotfiles (/.git, /.env),
// except /.well-known. ".." cannot climb above the root: the path is cleaned
// as an absolute one first.
func cleanPath(urlPath string) (string, bool) {
	if strings.ContainsAny(urlPath, "\x00\\") {
		return "", false
	}
	name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if name == "" {
		return ".", true
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") && seg != ".well-known" {
			return "", false
		}
	}
	return name, true
}

// serveDir redirects /dir to /dir/ and answers /dir/ with its index.html;
// directories are never listed.
func (h *Handler) serveDir(w http.ResponseWriter, r *http.Request, name string) {
	if !strings.HasSuffix(r.URL.Path, "/") {
		target := "/" + name + "/"
		if name == "." {
			target = "/"
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	if !h.serveFile(w, r, path.Join(name, "index.html")) {
		h.serveNotFound(w, r)
	}
}

// serveFile answers with a regular file and reports whether there was one to
// answer with.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, name string) bool {
	f, info, err := h.open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	tag, err := h.etags.get(name, info, f)
	if err != nil {
		h.log.Error("read file", "name", name, "err", err)
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return true
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", cacheControl(name))
	http.ServeContent(w, r, name, lastModified(info.ModTime()), f)
	return true
}

// serveNotFound answers 404 with the site's not-found page.
func (h *Handler) serveNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(h.notFound)
	}
}

// open opens a regular file under the root; anything else is an error.
// os.Root refuses names and symlinks that lead outside the root.
func (h *Handler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			h.log.Warn("open", "name", name, "err", err)
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", name)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// isDir reports whether name is a directory under the root.
func (h *Handler) isDir(name string) bool {
	info, err := h.root.Stat(name)
	return err == nil && info.IsDir()
}

// readFile reads a whole regular file under the root.
func (h *Handler) readFile(name string) ([]byte, error) {
	f, _, err := h.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// reproducibleEpoch: buildpacks set every file of an app image to
// 1980-01-01 00:00:01 so that builds are reproducible. Such a time says
// nothing about the content, so it is not sent as Last-Modified (the ETag,
// made from the content, does the revalidation).
var reproducibleEpoch = time.Date(1981, 1, 1, 0, 0, 0, 0, time.UTC)

// lastModified returns the time to send as Last-Modified; the zero time
// sends none.
func lastModified(t time.Time) time.Time {
	if t.Before(reproducibleEpoch) {
		return time.Time{}
	}
	return t
}
