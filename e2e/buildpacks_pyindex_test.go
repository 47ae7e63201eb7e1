package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/require"
)

// testBuilder is the buildpacks builder the buildpack tests push with:
// QUAYSIDE_TEST_BUILDER, else quayside/builder:offline. Given to the
// server as --builder, it is trusted like the default.
func testBuilder() string {
	if b := os.Getenv("QUAYSIDE_TEST_BUILDER"); b != "" {
		return b
	}
	return "quayside/builder:offline"
}

// pyIndex is a Python package index (PEP 503, the "simple" API) served by
// the test process on the gateway of a Docker network of its own, where
// build containers reach it. It serves wheels the test makes.
type pyIndex struct {
	url       string // http://<gateway>:<port>/simple/
	gateway   string // the address it listens on
	wheels    map[string][]byte
	projects  map[string][]string // normalized project name -> wheel file names
	downloads atomic.Int32        // wheel files served
}

// startPyIndex serves wheels on the gateway address of a new Docker network
// (removed when the test ends) and returns the index.
func startPyIndex(t *testing.T, wheels ...wheel) *pyIndex {
	t.Helper()
	ix := &pyIndex{wheels: map[string][]byte{}, projects: map[string][]string{}}
	for _, w := range wheels {
		ix.wheels[w.fileName()] = w.build(t)
		ix.projects[w.project()] = append(ix.projects[w.project()], w.fileName())
	}
	gw := testNetworkGateway(t)
	ln, err := net.Listen("tcp", net.JoinHostPort(gw, "0"))
	require.NoError(t, err)
	srv := &http.Server{Handler: ix}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	ix.url, ix.gateway = "http://"+ln.Addr().String()+"/simple/", gw
	return ix
}

// ServeHTTP serves /simple/<project>/ and /files/<wheel>.
func (ix *pyIndex) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok {
		b, found := ix.wheels[name]
		if !found {
			http.NotFound(w, r)
			return
		}
		ix.downloads.Add(1)
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write(b)
		return
	}
	project := strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple"), "/")
	var page strings.Builder
	page.WriteString("<!DOCTYPE html><html><body>\n")
	if project == "" {
		for p := range ix.projects {
			fmt.Fprintf(&page, "<a href=\"/simple/%s/\">%s</a>\n", p, p)
		}
	} else {
		files, found := ix.projects[project]
		if !found {
			http.NotFound(w, r)
			return
		}
		for _, f := range files {
			sum := sha256.Sum256(ix.wheels[f])
			fmt.Fprintf(&page, "<a href=\"/files/%s#sha256=%s\">%s</a>\n", f, hex.EncodeToString(sum[:]), f)
		}
	}
	page.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte(page.String()))
}

// testNetworkGateway creates a Docker network for this test (removed when
// it ends) and returns its gateway address: an address of this machine
// that containers on other bridge networks reach too.
func testNetworkGateway(t *testing.T) string {
	t.Helper()
	cli := dockerClient(t)
	t.Cleanup(func() { cli.Close() })
	ctx := context.Background()
	name := "qs-e2e-pyindex-" + rand.Text()[:10]
	resp, err := cli.NetworkCreate(ctx, name, network.CreateOptions{Labels: map[string]string{"qs-e2e": "pyindex"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.NetworkRemove(context.Background(), resp.ID) })
	nw, err := cli.NetworkInspect(ctx, resp.ID, network.InspectOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, nw.IPAM.Config, "network %s has no address", name)
	return nw.IPAM.Config[0].Gateway
}

// wheel is a pure-Python package made into a wheel by the test.
type wheel struct {
	name     string // distribution name, e.g. "qs-greeting"
	version  string
	requires []string          // Requires-Dist lines
	files    map[string]string // path in the wheel -> content
}

func (w wheel) project() string { return strings.ReplaceAll(strings.ToLower(w.name), "_", "-") }

func (w wheel) distInfo() string {
	return strings.ReplaceAll(w.name, "-", "_") + "-" + w.version + ".dist-info"
}

func (w wheel) fileName() string {
	return strings.ReplaceAll(w.name, "-", "_") + "-" + w.version + "-py3-none-any.whl"
}

// build returns the wheel's bytes: its files, METADATA, WHEEL and RECORD.
func (w wheel) build(t *testing.T) []byte {
	t.Helper()
	meta := "Metadata-Version: 2.1\nName: " + w.name + "\nVersion: " + w.version + "\n"
	for _, r := range w.requires {
		meta += "Requires-Dist: " + r + "\n"
	}
	files := map[string]string{
		w.distInfo() + "/METADATA": meta,
		w.distInfo() + "/WHEEL":    "Wheel-Version: 1.0\nGenerator: quayside-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	for p, c := range w.files {
		files[p] = c
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for p, c := range files {
		f, err := zw.Create(p)
		require.NoError(t, err)
		_, err = f.Write([]byte(c))
		require.NoError(t, err)
		sum := sha256.Sum256([]byte(c))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(c))
	}
	record.WriteString(w.distInfo() + "/RECORD,,\n")
	f, err := zw.Create(w.distInfo() + "/RECORD")
	require.NoError(t, err)
	_, err = f.Write([]byte(record.String()))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
