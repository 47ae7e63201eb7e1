package cnb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

func TestExitStatus(t *testing.T) {
	n, ok := exitStatus(errors.New("executing lifecycle: failed with status code: 51"))
	assert.True(t, ok)
	assert.Equal(t, 51, n)
	_, ok = exitStatus(errors.New("failed to fetch builder image"))
	assert.False(t, ok)
}

func TestPhaseFailure(t *testing.T) {
	assert.Contains(t, phaseFailure(51), "a buildpack failed")
	assert.Contains(t, phaseFailure(62), "exporting")
	assert.Contains(t, phaseFailure(1), "lifecycle failed")
}

func TestDetectLines(t *testing.T) {
	lines := []string{"Warning: x", "===> ANALYZING", "===> DETECTING", "", "======== Output: quayside/python@0.1.0 ========",
		"python: found none", "======== Results ========", "skip: quayside/procfile@0.1.0", "fail: quayside/python@0.1.0",
		"skip: quayside/procfile@0.1.0", "ERROR: No buildpack groups passed detection.  ",
		"ERROR: Please check that you are running against the correct path."}
	assert.Equal(t, []string{"python: found none", "skip: quayside/procfile@0.1.0", "fail: quayside/python@0.1.0",
		"ERROR: No buildpack groups passed detection."}, detectLines(lines))
	assert.Equal(t, []string{"a", "b"}, detectLines([]string{"a", "", "b"}), "all lines when detection was not announced")
	var many []string
	for i := range 50 {
		many = append(many, fmt.Sprint(i))
	}
	got := detectLines(many)
	assert.Len(t, got, maxDetectLines)
	assert.Equal(t, "49", got[len(got)-1], "the last ones")
}

func TestNoBuildpack(t *testing.T) {
	info := builderInfo{Buildpacks: []buildpackInfo{
		{ID: "quayside/go", Description: "Go apps: a go.mod at the root"},
		{ID: "quayside/static", Name: "Static site"},
	}}
	err := noBuildpack(OfflineBuilder, info, []string{"ERROR: No buildpack groups passed detection."}, false)
	assert.Equal(t, engine.EINVALID, err.Code)
	assert.Equal(t, "no buildpack of the builder quayside/builder:offline recognised this app, so Quayside cannot tell how to build it.\n"+
		"Its buildpacks look for:\n"+
		"  - quayside/go: Go apps: a go.mod at the root\n"+
		"  - quayside/static (Static site)\n"+
		"Their detection said:\n"+
		"  ERROR: No buildpack groups passed detection.\n"+
		"Add what one of them looks for (or a Dockerfile) to the repository and push again.", err.Message)
	assert.Contains(t, noBuildpack("b", builderInfo{}, nil, true).Message, "failed with an error")
}

func TestPackFailure(t *testing.T) {
	b := New(Config{})
	out := newOutput(nil)
	for i := range 30 {
		out.Line("line " + string(rune('a'+i%26)))
	}
	t.Run("detection", func(t *testing.T) {
		err := b.packFailure(&packError{err: errors.New("executing lifecycle: failed with status code: 20"), builder: OfflineBuilder}, out)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
	t.Run("build", func(t *testing.T) {
		err := b.packFailure(&packError{err: errors.New("executing lifecycle: failed with status code: 51")}, out)
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
		msg := engine.ErrorMessage(err)
		assert.Contains(t, msg, "buildpacks: a buildpack failed to build the app (lifecycle exit status 51)")
		assert.Contains(t, msg, "Last lines of the build output:\n")
		assert.Equal(t, 1+2+tailLines, len(splitLines(msg)), "the reason, a blank line, the heading and the last lines")
	})
	t.Run("pack itself", func(t *testing.T) {
		err := b.packFailure(&packError{err: errors.New("invalid run-image 'x': not found")}, out)
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "could not run: invalid run-image")
	})
	t.Run("disk full", func(t *testing.T) {
		raw := "failed to create 'creator' container: Error response from daemon: mkdir /var/lib/docker/overlay2/x: no space left on device"
		err := b.packFailure(&packError{err: errors.New(raw)}, out)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "the buildpacks build failed: the disk of the server is full")
		assert.NotContains(t, engine.ErrorMessage(err), "overlay2", "the daemon's text stays out of the message")
		assert.Contains(t, engine.ErrorDetail(err), raw, "and in the detail")
	})
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestDaemonDown(t *testing.T) {
	cli, err := client.NewClientWithOpts(client.WithHost("unix://"+filepath.Join(t.TempDir(), "no.sock")), client.WithVersion("1.41"))
	require.NoError(t, err)
	defer cli.Close()
	b := New(Config{Docker: cli, Instance: "abcd"})
	ctx := context.Background()

	t.Run("build", func(t *testing.T) {
		_, err := b.Build(ctx, engine.BuildRequest{App: "shop", Release: 1, Source: nil})
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "cannot reach the Docker daemon")
	})
	t.Run("resolve", func(t *testing.T) {
		_, _, err := b.Resolve(ctx)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	})
	t.Run("clear cache", func(t *testing.T) {
		err := b.ClearCache(ctx, "shop")
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	})
	t.Run("remove leftovers", func(t *testing.T) {
		err := b.RemoveLeftovers(ctx)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	})
}

func TestBuildWithoutBuilder(t *testing.T) {
	f := newFakeImages()
	b := newFakeBuilder(Config{Instance: "abcd"}, f)
	_, err := b.Build(context.Background(), engine.BuildRequest{App: "shop", Release: 1})
	require.Error(t, err)
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "make builder")
}

func TestMethod(t *testing.T) {
	b := New(Config{})
	assert.Equal(t, "buildpacks", b.Name())
	assert.Contains(t, b.Requirement(), "Buildpacks")
	ok, err := b.Detect(context.Background(), nil)
	assert.NoError(t, err)
	assert.True(t, ok, "the fallback method accepts everything")
}

func TestNames(t *testing.T) {
	assert.Equal(t, "qs-abcd/shop:v3", dockernames.ImageTag("abcd", "shop", 3))
	build, launch := dockernames.CacheVolumes("abcd", "shop")
	assert.Equal(t, "qs-abcd-shop-cache-build", build)
	assert.Equal(t, "qs-abcd-shop-cache-launch", launch)
	assert.Equal(t, "", packDockerHost("unix:///var/run/docker.sock"))
	assert.Equal(t, "unix:///run/other.sock", packDockerHost("unix:///run/other.sock"))
}
