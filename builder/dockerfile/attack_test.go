package dockerfile

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/builder/receive"
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockertest"
)

// A commit's .gitattributes can have git archive rewrite the Dockerfile
// (export-subst): the blob ADDs nothing, the archived file the daemon gets
// ADDs a loopback URL. The check reads the archived file.
func TestBuildRefusesExportSubst(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		".gitattributes": "Dockerfile export-subst\n",
		"Dockerfile":     "FROM scratch\nRUN true $Format:%n$ADD http://127.0.0.1:2375/version /x\n",
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "x")
	src, err := receive.NewSource(filepath.Join(dir, ".git"), git("rev-parse", "HEAD"), nil)
	require.NoError(t, err)

	blob, err := src.ReadFile(testCtx(t), "Dockerfile")
	require.NoError(t, err)
	_, err = checkRemoteSources(blob, nil)
	require.NoError(t, err, "the blob alone is a harmless RUN")

	_, err = newTestBuilder(t).Build(testCtx(t), engine.BuildRequest{App: "src", Release: 1, Source: src})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "line 3: ADD http://127.0.0.1:2375/version is refused")
}

// A base image present on the daemon whose ONBUILD trigger ADDs a URL: the
// trigger would run in this build, so the build is refused.
func TestBuildRefusesBaseImageOnbuildAdd(t *testing.T) {
	ctx := testCtx(t)
	b := newTestBuilder(t)
	var empty bytes.Buffer
	require.NoError(t, tar.NewWriter(&empty).Close())
	ref := "quayside-test-onbuild-" + dockertest.Instance(t, testCLI) + ":1"
	rc, err := testCLI.ImageImport(ctx, image.ImportSource{Source: &empty, SourceName: "-"}, ref,
		image.ImportOptions{Changes: []string{`ONBUILD ADD http:"//127.0.0.1:2375"/version /x`}})
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	t.Cleanup(func() { _, _ = testCLI.ImageRemove(ctx, ref, image.RemoveOptions{Force: true}) })

	src := newSource(t, map[string]string{"Dockerfile": "FROM scratch AS a\nFROM " + ref + "\nCOPY --from=a / /\n"})
	_, err = b.Build(ctx, engine.BuildRequest{App: "src", Release: 1, Source: src})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "base image "+ref+": Dockerfile line 2: ADD http:\"//127.0.0.1:2375\"/version is refused")
}

// FROM a loopback "registry": the daemon would contact it from the host.
func TestBuildRefusesLoopbackRegistry(t *testing.T) {
	src := newSource(t, map[string]string{"Dockerfile": "FROM 127.0.0.1:2375/x/y:z\nRUN true\n"})
	_, err := newTestBuilder(t).Build(testCtx(t), engine.BuildRequest{App: "src", Release: 1, Source: src})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "err: %v", err)
	assert.Contains(t, engine.ErrorMessage(err), "Dockerfile line 1: FROM 127.0.0.1:2375/x/y:z is refused")
}
