package receive

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Paths of git's smart HTTP protocol under a repository.
const (
	httpInfoRefs    = "/info/refs"
	httpReceivePack = "/git-receive-pack"
)

// HTTPHandler serves pushes over HTTP(S) with git's smart protocol:
// GET /<app>.git/info/refs?service=git-receive-pack and
// POST /<app>.git/git-receive-pack. Fetching is refused, as over SSH. The
// caller authenticates: the request's context carries the pusher's
// identity (engine.WithIdentity), whose name is the push's author.
// Refusals before git runs are told in git's own "ERR" line, which the
// client prints.
func (s *Server) HTTPHandler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	repo, action, ok := splitGitPath(r.URL.Path)
	if !ok {
		http.Error(w, "not a git repository path: push to https://<control host>/<app>.git", http.StatusNotFound)
		return
	}
	app, err := parseRepoPath(repo)
	if err != nil {
		writeGitError(w, http.StatusNotFound, err)
		return
	}
	switch {
	case action == httpInfoRefs && r.Method == http.MethodGet:
		s.advertise(w, r, app)
	case action == httpReceivePack && r.Method == http.MethodPost:
		s.receiveHTTP(w, r, app)
	default:
		writeGitError(w, http.StatusForbidden, engine.Errorf(engine.ENOTIMPLEMENTED,
			"Quayside accepts git push only: clone and fetch are not available."))
	}
}

// splitGitPath splits "/app.git/info/refs" into "app.git" and "/info/refs".
func splitGitPath(p string) (repo, action string, ok bool) {
	for _, a := range []string{httpInfoRefs, httpReceivePack, "/git-upload-pack"} {
		if strings.HasSuffix(p, a) {
			return strings.TrimPrefix(strings.TrimSuffix(p, a), "/"), a, true
		}
	}
	return "", "", false
}

// advertise answers git's first request: the refs receive-pack offers.
// The Deployer is asked first, so a push that will be refused (a viewer,
// a bad app name) is refused before the client sends its objects.
func (s *Server) advertise(w http.ResponseWriter, r *http.Request, app string) {
	if r.URL.Query().Get("service") != "git-receive-pack" {
		writeGitError(w, http.StatusForbidden, engine.Errorf(engine.ENOTIMPLEMENTED,
			"Quayside accepts git push only: clone and fetch are not available."))
		return
	}
	ctx := r.Context()
	author := pusherName(ctx)
	if err := s.cfg.Deployer.PreparePush(ctx, app, author); err != nil {
		s.refuseHTTP(w, app, author, err)
		return
	}
	gitDir, err := s.repos.ensure(ctx, app)
	if err != nil {
		s.refuseHTTP(w, app, author, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-git-receive-pack-advertisement")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = io.WriteString(w, pktLine("# service=git-receive-pack\n")+"0000")
	pio := pushIO{in: strings.NewReader(""), out: w, errOut: io.Discard, args: []string{"--stateless-rpc", "--advertise-refs"}}
	if _, err := s.runReceivePack(ctx, pio, gitDir, ""); err != nil {
		s.log.Error("advertise refs", "app", app, "err", err)
	}
}

// receiveHTTP runs one push: the same lock, consent and hook as over SSH.
// The hook's output reaches the client through git's side band, flushed
// as it comes.
func (s *Server) receiveHTTP(w http.ResponseWriter, r *http.Request, app string) {
	if !s.track() {
		http.Error(w, "the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	body, err := requestBody(r)
	if err != nil {
		writeGitError(w, http.StatusBadRequest, err)
		return
	}
	defer body.Close()
	ctx, cancel := s.pushContext(r.Context())
	defer cancel()
	author := pusherName(ctx)
	w.Header().Set("Content-Type", "application/x-git-receive-pack-result")
	w.Header().Set("Cache-Control", "no-cache")
	out := &flushWriter{w: w, rc: http.NewResponseController(w)}
	log := s.log.With("app", app, "author", author, "remote", r.RemoteAddr, "via", "https")
	pio := pushIO{in: io.LimitReader(body, s.cfg.MaxPushBytes+1<<20), out: out, errOut: io.Discard, args: []string{"--stateless-rpc"}}
	code := s.lockedReceive(ctx, pio, log, author, app)
	if cause := heldCause(ctx); code != 0 && cause != nil {
		// git was stopped mid-answer: end the answer with git's error band,
		// which the client prints and stops on (it waits otherwise).
		log.Info("push stopped", "reason", engine.ErrorMessage(cause))
		_, _ = io.WriteString(out, pktLine("\x03Push rejected: "+engine.ErrorMessage(cause)+"\n"))
	}
}

// requestBody is the request's body, gunzipped when git compressed it.
func requestBody(r *http.Request) (io.ReadCloser, error) {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return r.Body, nil
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		return nil, engine.Errorf(engine.EINVALID, "the push is not valid gzip: %v", err)
	}
	return zr, nil
}

// pusherName is the name of the identity ctx carries.
func pusherName(ctx context.Context) string {
	if id, ok := engine.IdentityFrom(ctx); ok && id.Name != "" {
		return id.Name
	}
	return "unknown"
}

// refuseHTTP logs a refusal and tells the client in git's ERR line.
func (s *Server) refuseHTTP(w http.ResponseWriter, app, author string, err error) {
	logRejection(s.log.With("app", app, "author", author, "via", "https"), "push refused", err)
	writeGitError(w, http.StatusOK, err)
}

// writeGitError answers with git's "ERR <message>" packet, which git
// prints as "remote error: <message>". Status 200 lets the client read it.
func writeGitError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/x-git-receive-pack-advertisement")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, pktLine("ERR "+engine.ErrorMessage(err)+"\n"))
}

// pktLine frames s as one git packet line.
func pktLine(s string) string {
	return fmt.Sprintf("%04x%s", len(s)+4, s)
}

// flushWriter sends each write to the client at once, so the build's
// progress shows as it happens.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		err = f.rc.Flush()
	}
	return n, err
}
