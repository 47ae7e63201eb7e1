package ui_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/store"
	"github.com/quayside/quayside/ui"
	"github.com/quayside/quayside/ui/api"
)

// newAPI serves the API over an engine with fake adapters and a real store.
func newAPI(t *testing.T) (*httptest.Server, *engine.Engine) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), key)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	rt := enginetest.NewRuntime()
	eng := engine.New(engine.Config{
		Store: db, Runtime: rt, Builder: &enginetest.Builder{}, Router: enginetest.NewRouter(),
		Repos: &enginetest.Repos{}, Health: enginetest.Health{RT: rt}, Domain: "example.test",
	})
	srv := httptest.NewServer(ui.New(ui.Config{Engine: eng, Version: "test", Domain: "example.test"}).Handler())
	t.Cleanup(srv.Close)
	return srv, eng
}

func client(srv *httptest.Server) *api.Client {
	return &api.Client{BaseURL: srv.URL, HTTP: srv.Client()}
}

// deploy makes app with release v1 running image img.
func deploy(t *testing.T, eng *engine.Engine, app, img string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, eng.PreparePush(ctx, app, "alice"))
	_, err := eng.Push(ctx, engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: img, Source: enginetest.Source{}, Author: "alice"})
	require.NoError(t, err)
}

func TestAppsAPI(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()

	a, err := c.CreateApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "http://shop.example.test", a.URL)
	assert.Equal(t, "main", a.DeployBranch)

	_, err = c.CreateApp(ctx, "shop")
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	_, err = c.CreateApp(ctx, "Bad")
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorFields(err), "name")

	deploy(t, eng, "shop", "img1")
	rels, err := c.Releases(ctx, "shop", 10)
	require.NoError(t, err)
	require.Len(t, rels, 1)
	assert.True(t, rels[0].Current)
	assert.Equal(t, "alice", rels[0].Author)
	assert.NotNil(t, rels[0].FinishedAt)

	a, err = c.UpdateApp(ctx, "shop", api.UpdateApp{Health: &api.HealthCheck{Path: "/up", TimeoutSeconds: 5}})
	require.NoError(t, err)
	assert.Equal(t, "/up", a.Health.Path)
	assert.Equal(t, 5.0, a.Health.TimeoutSeconds)
	assert.Equal(t, 30.0, a.Health.DrainSeconds, "unchanged fields keep their value")

	err = c.DestroyApp(ctx, "shop", "nope")
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	require.NoError(t, c.DestroyApp(ctx, "shop", "shop"))
	_, err = c.App(ctx, "shop")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

func TestConfigAPIStreamsTheDeploy(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()
	deploy(t, eng, "shop", "img1")

	var out strings.Builder
	rel, err := c.ChangeConfig(ctx, "shop", api.ConfigChange{Set: map[string]string{"SECRET": "s3cret"}}, &out)
	require.NoError(t, err)
	assert.Equal(t, 2, rel.Number)
	assert.Contains(t, out.String(), "-----> Released v2")

	cfg, err := c.Config(ctx, "shop", false)
	require.NoError(t, err)
	assert.True(t, cfg.Masked)
	assert.NotContains(t, cfg.Vars["SECRET"], "s3cret")
	cfg, err = c.Config(ctx, "shop", true)
	require.NoError(t, err)
	assert.Equal(t, "s3cret", cfg.Vars["SECRET"])

	_, err = c.ChangeConfig(ctx, "shop", api.ConfigChange{Unset: []string{"NOPE"}}, io.Discard)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "an error inside the stream keeps its code")
}

func TestStreamFormat(t *testing.T) {
	srv, eng := newAPI(t)
	deploy(t, eng, "shop", "img1")
	deploy(t, eng, "shop", "img2")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/apps/shop/rollback", strings.NewReader(`{}`))
	req.Header.Set("Accept", api.StreamContentType)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, api.StreamContentType, resp.Header.Get("Content-Type"))
	var events []api.StreamEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var ev api.StreamEvent
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), sc.Text())
		events = append(events, ev)
	}
	require.NotEmpty(t, events)
	assert.Equal(t, api.EventOutput, events[0].Type)
	lastEv := events[len(events)-1]
	assert.Equal(t, api.EventResult, lastEv.Type)
	assert.Equal(t, 1, lastEv.Release.RollbackOf)
}

func TestPlainJSONWithoutStream(t *testing.T) {
	srv, eng := newAPI(t)
	deploy(t, eng, "shop", "img1")
	resp, err := srv.Client().Post(srv.URL+"/api/v1/apps/shop/rollback", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var e api.Error
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, engine.EINVALID, e.Code)
	assert.Contains(t, e.Message, "no earlier release")
}

func TestBadRequestsGetTheOneErrorShape(t *testing.T) {
	srv, _ := newAPI(t)
	cases := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", "/api/v1/nowhere", "", 404, engine.ENOTFOUND},
		{"PUT", "/api/v1/apps", "", 400, engine.EINVALID},
		{"POST", "/api/v1/apps", "{not json", 400, engine.EINVALID},
		{"POST", "/api/v1/apps", `{"name":"a","extra":1}`, 400, engine.EINVALID},
		{"POST", "/api/v1/apps", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, engine.ETOOLARGE},
		{"GET", "/api/v1/apps/nope", "", 404, engine.ENOTFOUND},
		{"GET", "/api/v1/apps/nope/releases?limit=0", "", 400, engine.EINVALID},
		{"POST", "/api/v1/apps/nope/rollback", `{"to":-1}`, 400, engine.EINVALID},
		{"DELETE", "/api/v1/keys/nobody", "", 404, engine.ENOTFOUND},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		var e api.Error
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e), "%s %s", c.method, c.path)
		resp.Body.Close()
		assert.Equal(t, c.status, resp.StatusCode, "%s %s", c.method, c.path)
		assert.Equal(t, c.code, e.Code, "%s %s", c.method, c.path)
		assert.NotEmpty(t, e.Message)
	}
}

func TestKeysAPI(t *testing.T) {
	srv, _ := newAPI(t)
	c, ctx := client(srv), context.Background()
	pub := authorizedKey(t)
	k, err := c.AddKey(ctx, "alice", pub+" alice@laptop\n")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k.Fingerprint, "SHA256:"))
	assert.Equal(t, pub, k.PublicKey, "the comment is dropped")
	assert.Equal(t, engine.KeyOwnerServer, k.Owner, "a key added on the control socket is the server owner's")
	assert.Empty(t, k.User)
	_, err = c.AddKey(ctx, "again", pub)
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	keys, err := c.ListKeys(ctx)
	require.NoError(t, err)
	assert.Len(t, keys, 1)
	require.NoError(t, c.RemoveKey(ctx, "alice"))
}

func TestParsePublicKey(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	weakPub, err := ssh.NewPublicKey(&weak.PublicKey)
	require.NoError(t, err)
	good := authorizedKey(t)
	cases := map[string]struct{ in, want string }{
		"ed25519":     {good, ""},
		"with spaces": {"  " + good + " c\n\n", ""},
		"empty":       {"", "is empty"},
		"private":     {"-----BEGIN OPENSSH PRIVATE KEY-----\nx", "private key"},
		"garbage":     {"ssh-ed25519 AAAAnope", "not an SSH public key"},
		"two keys":    {good + "\n" + good, "exactly one"},
		"weak rsa":    {string(ssh.MarshalAuthorizedKey(weakPub)), "too weak"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			k, err := ui.ParsePublicKey(c.in)
			if c.want == "" {
				require.NoError(t, err)
				assert.Equal(t, good, k.PublicKey)
				return
			}
			require.Error(t, err)
			assert.Contains(t, engine.ErrorMessage(err), c.want)
		})
	}
}

func authorizedKey(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sp, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}

func TestAppsArePaged(t *testing.T) {
	srv, eng := newAPI(t)
	ctx := context.Background()
	for _, name := range []string{"a1", "b2", "c3", "d4", "e5"} {
		_, err := eng.CreateApp(ctx, name, "tester")
		require.NoError(t, err)
	}
	var page api.AppList
	resp, err := http.Get(srv.URL + "/api/v1/apps?limit=2&after=a1")
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	resp.Body.Close()
	require.Len(t, page.Apps, 2)
	assert.Equal(t, "b2", page.Apps[0].Name)
	assert.Equal(t, "c3", page.NextAfter)

	all, err := client(srv).ListApps(ctx)
	require.NoError(t, err)
	assert.Len(t, all, 5, "the client reads every page")

	resp, err = http.Get(srv.URL + "/api/v1/apps?limit=0")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
