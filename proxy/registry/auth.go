package registry

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
)

// PushUser is the user Quayside pushes as. Its password is known to the
// daemon alone.
const PushUser = "quayside"

// pullPrefix starts the user names of the apps' pull-only credentials:
// "pull/<app>".
const pullPrefix = "pull/"

// Credential is a user and password of the registry.
type Credential struct{ User, Password string }

// keys derives the registry's credentials from a secret of 32 random bytes
// kept in the data dir (0600). Nothing else is stored: a credential is
// valid exactly when it derives from the secret.
type keys struct{ secret []byte }

// loadOrMakeSecret reads the secret file, making it on first use.
func loadOrMakeSecret(path string) (keys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return keys{}, fmt.Errorf("make registry secret: %w", err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return keys{}, fmt.Errorf("write registry secret: %w", err)
		}
		return keys{b}, nil
	}
	if err != nil {
		return keys{}, fmt.Errorf("read registry secret: %w", err)
	}
	if len(b) < 32 {
		return keys{}, fmt.Errorf("read registry secret: %s is shorter than 32 bytes; remove it to make a new one", path)
	}
	return keys{b}, nil
}

func (k keys) password(user string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("quayside-registry\x00" + user))
	return hex.EncodeToString(m.Sum(nil))
}

func (k keys) push() Credential { return Credential{PushUser, k.password(PushUser)} }

func (k keys) pull(app string) Credential {
	u := pullPrefix + app
	return Credential{u, k.password(u)}
}

// valid reports whether user and password are a credential of the registry.
func (k keys) valid(user, password string) bool {
	if user != PushUser && !(strings.HasPrefix(user, pullPrefix) && appNameRe.MatchString(user[len(pullPrefix):])) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(k.password(user)), []byte(password)) == 1
}

// appNameRe is the grammar of Quayside app names, the only repository
// names the registry serves: one path component, no dots, so nothing in a
// name can walk out of the storage folder.
var appNameRe = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)

// repoPathRe matches the API paths that name a repository.
var repoPathRe = regexp.MustCompile(`^/v2/([^/]+)/(manifests|blobs|tags)/`)

// authorize returns the status a request gets before it reaches the
// registry: 0 to let it through, 401 without a valid credential, 403 when
// the credential does not reach that path, 404 for paths that are no
// registry API of an app.
func (k keys) authorize(r *http.Request) int {
	user, pass, ok := r.BasicAuth()
	if !ok || !k.valid(user, pass) {
		return http.StatusUnauthorized
	}
	if r.URL.RawPath != "" || strings.Contains(r.URL.Path, "..") || strings.Contains(r.URL.Path, "//") {
		return http.StatusNotFound
	}
	if r.URL.Path == "/v2/" {
		return 0
	}
	if r.URL.Path == "/v2/_catalog" {
		return onlyPush(user)
	}
	m := repoPathRe.FindStringSubmatch(r.URL.Path)
	if m == nil || !appNameRe.MatchString(m[1]) {
		return http.StatusNotFound
	}
	if user == PushUser {
		return 0
	}
	if user != pullPrefix+m[1] || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return http.StatusForbidden
	}
	return 0
}

func onlyPush(user string) int {
	if user == PushUser {
		return 0
	}
	return http.StatusForbidden
}

// guard puts authorize in front of next and answers refusals the way the
// registry API does, so Docker shows a clear reason.
func (k keys) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := k.authorize(r)
		if status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		w.Header().Set("Content-Type", "application/json")
		code, msg := "DENIED", "this credential may not do that here"
		switch status {
		case http.StatusUnauthorized:
			w.Header().Set("WWW-Authenticate", `Basic realm="Quayside registry"`)
			code, msg = "UNAUTHORIZED", "authentication required: the registry serves Quayside and its nodes only"
		case http.StatusNotFound:
			code, msg = "NAME_UNKNOWN", "no such repository: repository names are Quayside app names"
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`+"\n", code, msg)
	})
}
