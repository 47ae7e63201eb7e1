package registry

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAuthorize(t *testing.T) {
	k := keys{secret: []byte("0123456789abcdef0123456789abcdef")}
	push, web, other := k.push(), k.pull("web"), k.pull("other")
	for _, tc := range []struct {
		name, method, path string
		cred               *Credential
		want               int
	}{
		{"anonymous ping", "GET", "/v2/", nil, 401},
		{"anonymous pull", "GET", "/v2/web/manifests/latest", nil, 401},
		{"anonymous push", "POST", "/v2/web/blobs/uploads/", nil, 401},
		{"wrong password", "GET", "/v2/web/manifests/latest", &Credential{"pull/web", "guess"}, 401},
		{"push password as pull user", "GET", "/v2/web/manifests/latest", &Credential{"pull/web", push.Password}, 401},
		{"pull password as push user", "POST", "/v2/web/blobs/uploads/", &Credential{PushUser, web.Password}, 401},
		{"unknown user", "GET", "/v2/", &Credential{"admin", push.Password}, 401},
		{"push ping", "GET", "/v2/", &push, 0},
		{"push pushes", "POST", "/v2/web/blobs/uploads/", &push, 0},
		{"push puts manifest", "PUT", "/v2/web/manifests/id-1", &push, 0},
		{"push lists catalog", "GET", "/v2/_catalog", &push, 0},
		{"pull ping", "GET", "/v2/", &web, 0},
		{"pull own manifest", "GET", "/v2/web/manifests/sha256:ab", &web, 0},
		{"pull own blob head", "HEAD", "/v2/web/blobs/sha256:ab", &web, 0},
		{"pull own tags", "GET", "/v2/web/tags/list", &web, 0},
		{"pull other app", "GET", "/v2/web/manifests/latest", &other, 403},
		{"pull pushes", "POST", "/v2/web/blobs/uploads/", &web, 403},
		{"pull puts manifest", "PUT", "/v2/web/manifests/x", &web, 403},
		{"pull deletes", "DELETE", "/v2/web/manifests/sha256:ab", &web, 403},
		{"pull lists catalog", "GET", "/v2/_catalog", &web, 403},
		{"traversal dots", "GET", "/v2/../../etc/passwd", &push, 404},
		{"traversal in name", "GET", "/v2/web/../other/manifests/x", &push, 404},
		{"encoded slash", "GET", "/v2/web%2F..%2Fother/manifests/x", &push, 404},
		{"encoded dots", "GET", "/v2/%2e%2e/manifests/x", &push, 404},
		{"double slash", "GET", "/v2//web/manifests/x", &push, 404},
		{"nested name", "GET", "/v2/web/sub/manifests/x", &push, 404},
		{"uppercase name", "GET", "/v2/Web/manifests/x", &push, 404},
		{"dot name", "GET", "/v2/.web/manifests/x", &push, 404},
		{"not the API", "GET", "/debug/vars", &push, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "https://registry.test"+tc.path, nil)
			if tc.cred != nil {
				req.SetBasicAuth(tc.cred.User, tc.cred.Password)
			}
			assert.Equal(t, tc.want, k.authorize(req))
		})
	}
}

func TestGuardAnswersLikeARegistry(t *testing.T) {
	k := keys{secret: []byte("0123456789abcdef0123456789abcdef")}
	reached := false
	h := k.guard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v2/web/manifests/latest", nil))
	assert.False(t, reached, "an anonymous request reached the registry")
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, `Basic realm="Quayside registry"`, rec.Header().Get("WWW-Authenticate"))
	assert.Contains(t, rec.Body.String(), `"UNAUTHORIZED"`)
}

func TestCredentialsDeriveFromTheSecret(t *testing.T) {
	a := keys{secret: []byte("0123456789abcdef0123456789abcdef")}
	b := keys{secret: []byte("fedcba9876543210fedcba9876543210")}
	assert.True(t, a.valid(a.pull("web").User, a.pull("web").Password))
	assert.False(t, b.valid(a.pull("web").User, a.pull("web").Password), "another server's credential is accepted")
	assert.NotEqual(t, a.pull("web").Password, a.pull("api").Password)
	assert.False(t, a.valid("pull/Bad..name", a.password("pull/Bad..name")), "a credential for a name that is no app name")
}
