package registry

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockertest"
)

// startRegistry starts a registry on a free loopback port with the shared
// daemon as the manager's daemon.
func startRegistry(t *testing.T, opts ...func(*Config)) (*Registry, *client.Client) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	if err := dockertest.Ping(context.Background(), cli); err != nil {
		t.Skipf("no Docker daemon: %v", err)
	}
	host := freeLoopback(t)
	cfg := Config{DataDir: t.TempDir(), Listen: host, Host: host, Docker: cli, CertsDir: t.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	r, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background()))
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return r, cli
}

func freeLoopback(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// httpsClient trusts the registry's CA only.
func httpsClient(r *Registry) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(r.CA())
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func get(t *testing.T, c *http.Client, r *Registry, path string, cred *Credential) int {
	req, err := http.NewRequest("GET", "https://"+r.Host()+path, nil)
	require.NoError(t, err)
	if cred != nil {
		req.SetBasicAuth(cred.User, cred.Password)
	}
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := c.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestShipAndCollect ships an image from the shared daemon, reads it back
// with the app's pull credential (and not with another app's or none),
// then removes the local image and checks that Collect removes it from the
// registry and frees its layers.
func TestShipAndCollect(t *testing.T) {
	r, cli := startRegistry(t)
	ctx := dockertest.Context(t, 2*time.Minute)
	tag := "quayside-registry-test:" + dockertest.RandomHex(6)
	require.NoError(t, dockertest.BuildImage(ctx, cli, tag, nil, map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY payload /payload\n"),
		"payload":    randomBytes(t, 64*1024),
	}))
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })

	ref, auth, err := r.Ship(ctx, "web", tag)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ref, r.Host()+"/web@sha256:"), ref)
	assert.NotContains(t, auth, r.keys.push().Password, "the nodes' auth carries the push password")
	insp, err := cli.ImageInspect(ctx, tag)
	require.NoError(t, err)
	assert.Equal(t, []string{tag}, insp.RepoTags, "Ship left a tag on the local image")

	again, _, err := r.Ship(ctx, "web", tag)
	require.NoError(t, err)
	assert.Equal(t, ref, again, "shipping the same image twice gives another reference")

	c := httpsClient(r)
	manifest := "/v2/web/manifests/" + ref[strings.Index(ref, "@")+1:]
	web, other := r.PullCredential("web"), r.PullCredential("other")
	assert.Equal(t, 200, get(t, c, r, manifest, &web))
	assert.Equal(t, 403, get(t, c, r, manifest, &other), "another app's credential reads web's image")
	assert.Equal(t, 401, get(t, c, r, manifest, nil), "an anonymous request reads web's image")

	_, err = cli.ImageRemove(ctx, tag, image.RemoveOptions{Force: true})
	require.NoError(t, err)
	removed, freed, err := r.Collect(ctx)
	require.NoError(t, err)
	require.Len(t, removed, 1)
	assert.Equal(t, engine.GCItem{Kind: GCKind, App: "web", Name: r.Host() + "/web:id-" + strings.TrimPrefix(insp.ID, "sha256:"),
		Reason: "the control host no longer keeps this image"}, removed[0])
	assert.Greater(t, freed, int64(32*1024), "Collect freed less than the image's payload")
	assert.Equal(t, 404, get(t, c, r, manifest, &web), "the collected image is still served")
}

// TestCollectKeepsWhatTheManagerKeeps ships an image that stays on the
// manager and checks that Collect leaves it alone.
func TestCollectKeepsWhatTheManagerKeeps(t *testing.T) {
	r, cli := startRegistry(t)
	ctx := dockertest.Context(t, 2*time.Minute)
	tag := "quayside-registry-test:" + dockertest.RandomHex(6)
	require.NoError(t, dockertest.BuildImage(ctx, cli, tag, nil, map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY payload /payload\n"), "payload": []byte(dockertest.RandomHex(16)),
	}))
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })
	ref, _, err := r.Ship(ctx, "api", tag)
	require.NoError(t, err)
	removed, _, err := r.Collect(ctx)
	require.NoError(t, err)
	assert.Empty(t, removed)
	web := r.PullCredential("api")
	assert.Equal(t, 200, get(t, httpsClient(r), r, "/v2/api/manifests/"+ref[strings.Index(ref, "@")+1:], &web))
}

// TestStrangers checks what someone who is not Quayside gets: no answer
// over plain HTTP, a certificate no public CA vouches for, 401 without a
// credential, and nothing for names that are not app names.
func TestStrangers(t *testing.T) {
	r, _ := startRegistry(t)
	plain := &http.Client{Timeout: 5 * time.Second}
	resp, err := plain.Get("http://" + r.Host() + "/v2/")
	if err == nil {
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP was served")
		resp.Body.Close()
	}
	_, err = plain.Get("https://" + r.Host() + "/v2/")
	assert.Error(t, err, "the registry's certificate passes without its CA")

	c := httpsClient(r)
	push := r.keys.push()
	assert.Equal(t, 401, get(t, c, r, "/v2/", nil))
	assert.Equal(t, 401, get(t, c, r, "/v2/_catalog", nil))
	for _, p := range []string{"/v2/../../etc/passwd", "/v2/..%2f..%2fsecret/manifests/x", "/v2/%2e%2e/tags/list"} {
		assert.Equal(t, 404, get(t, c, r, p, &push), p)
	}
}

func TestStartStop(t *testing.T) {
	r, _ := startRegistry(t)
	assert.Error(t, r.Start(context.Background()), "a second Start")
	require.NoError(t, r.Stop(context.Background()))
	assert.Nil(t, r.Addr())
	require.NoError(t, r.Stop(context.Background()), "a second Stop")
	require.NoError(t, r.Start(context.Background()), "Start after Stop")
	assert.NotNil(t, r.Addr())
}

func TestShipRefusesBadNames(t *testing.T) {
	r, _ := startRegistry(t)
	for _, name := range []string{"../etc", "Web", "a/b", "", "-x"} {
		_, _, err := r.Ship(context.Background(), name, "whatever")
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), fmt.Sprintf("%q: %v", name, err))
	}
}

// randomBytes returns n bytes that do not compress.
func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// TestFetchCA fetches the CA a joining node needs, and refuses it under a
// wrong pin (a machine in between, or a mistyped command).
func TestFetchCA(t *testing.T) {
	r, _ := startRegistry(t)
	ctx := context.Background()
	got, err := FetchCA(ctx, r.Host(), r.CAFingerprint())
	require.NoError(t, err)
	assert.Equal(t, r.CA(), got)
	assert.Equal(t, "--registry "+r.Host()+" --registry-ca-sha256 "+r.CAFingerprint(), r.JoinFlags())

	other, err := New(Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Host: "127.0.0.1:1", Docker: r.cfg.Docker})
	require.NoError(t, err)
	_, err = FetchCA(ctx, r.Host(), other.CAFingerprint())
	assert.ErrorContains(t, err, "does not present the CA")
	_, err = FetchCA(ctx, r.Host(), "abc")
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	_, err = FetchCA(ctx, "no-port", r.CAFingerprint())
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
}

// TestShipConcurrently ships one image into one repository from several
// goroutines at once: every Ship succeeds with the same reference and the
// local image keeps exactly its own tag.
func TestShipConcurrently(t *testing.T) {
	r, cli := startRegistry(t)
	ctx := dockertest.Context(t, 2*time.Minute)
	tag := "quayside-registry-test:" + dockertest.RandomHex(6)
	require.NoError(t, dockertest.BuildImage(ctx, cli, tag, nil, map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY payload /payload\n"), "payload": randomBytes(t, 4096),
	}))
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })
	refs := make(chan string, 4)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			ref, _, err := r.Ship(ctx, "web", tag)
			refs <- ref
			errs <- err
		}()
	}
	first := ""
	for range 4 {
		require.NoError(t, <-errs)
		ref := <-refs
		if first == "" {
			first = ref
		}
		assert.Equal(t, first, ref)
	}
	insp, err := cli.ImageInspect(ctx, tag)
	require.NoError(t, err)
	assert.Equal(t, []string{tag}, insp.RepoTags)
}

// TestCollectsByItself: a started registry with CollectEvery removes an
// image soon after the manager dropped it, without anyone asking.
func TestCollectsByItself(t *testing.T) {
	r, cli := startRegistry(t, func(c *Config) { c.CollectEvery = 200 * time.Millisecond })
	ctx := dockertest.Context(t, 2*time.Minute)
	tag := "quayside-registry-test:" + dockertest.RandomHex(6)
	require.NoError(t, dockertest.BuildImage(ctx, cli, tag, nil, map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY payload /payload\n"), "payload": randomBytes(t, 4096),
	}))
	t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })
	ref, _, err := r.Ship(ctx, "web", tag)
	require.NoError(t, err)
	c, web := httpsClient(r), r.PullCredential("web")
	manifest := "/v2/web/manifests/" + ref[strings.Index(ref, "@")+1:]
	require.Equal(t, 200, get(t, c, r, manifest, &web))
	_, err = cli.ImageRemove(ctx, tag, image.RemoveOptions{Force: true})
	require.NoError(t, err)
	deadline := time.Now().Add(20 * time.Second)
	for get(t, c, r, manifest, &web) != 404 {
		require.True(t, time.Now().Before(deadline), "the image is still served 20s after the manager dropped it")
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, r.Stop(ctx), "Stop with the collection loop running")
}
