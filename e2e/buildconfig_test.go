package e2e

import (
	"context"
	"crypto/rand"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernames"
)

// envApp is a Node.js app without dependencies whose build script prints
// what it sees of two config vars and of project.toml, and writes the
// whole build environment into the app (so into the image); its server
// says whether the runtime-only secret reached the running app.
var envApp = map[string]string{
	"package.json": `{"name": "envapp", "version": "1.0.0", "private": true,
  "scripts": {"build": "node build.js", "start": "node server.js"}}`,
	"build.js": `const fs = require("fs");
const e = process.env;
console.log("build sees VISIBLE_TOKEN=" + (e.VISIBLE_TOKEN || "unset") + " RUNTIME_SECRET=" + (e.RUNTIME_SECRET || "unset"));
console.log("build sees FROM_PROJECT=" + (e.FROM_PROJECT || "unset") + " notes=" + fs.existsSync("notes.txt"));
fs.writeFileSync("build-env.json", JSON.stringify(e));
`,
	"server.js": `require("http").createServer((q, r) => {
  r.end("runtime secret " + (process.env.RUNTIME_SECRET ? "set" : "unset"));
}).listen(Number(process.env.PORT));
`,
	"project.toml": `[_]
schema-version = "0.2"
[io.buildpacks]
exclude = ["notes.txt"]
[[io.buildpacks.build.env]]
name = "FROM_PROJECT"
value = "yes"
`,
	"notes.txt": "left out of the build by project.toml\n",
}

// TestBuildConfig: an app's config vars reach its build, project.toml's
// build env and excludes are honoured, and a key set --runtime-only never
// does: the attack is a build script that prints and stores its whole
// environment, and the secret is then looked for in the build output, the
// image and the build cache volumes. Dockerfile builds get config vars as
// build args only where the Dockerfile declares the ARG.
func TestBuildConfig(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--builder", testBuilder())
	secret := "s3cr3t-" + rand.Text()
	s.mustCLI("apps", "create", "envapp")
	s.mustCLI("config", "set", "envapp", "VISIBLE_TOKEN=visible-123")
	s.mustCLI("config", "set", "envapp", "--runtime-only", "RUNTIME_SECRET="+secret)
	shown := s.mustCLI("config", "envapp")
	assert.Regexp(t, `RUNTIME_SECRET\s+\S+\s+runtime-only`, shown)
	assert.Regexp(t, `VISIBLE_TOKEN\s+\S+\s+visible`, shown)

	out := s.mustPush(newRepo(t, envApp), "envapp")
	assert.Contains(t, out, "build sees VISIBLE_TOKEN=visible-123 RUNTIME_SECRET=unset")
	assert.Contains(t, out, "build sees FROM_PROJECT=yes notes=false")
	assert.NotContains(t, out, secret)
	assert.Equal(t, "runtime secret set", s.body("envapp", "/"))

	image := dockernames.ImageTag(s.instance, "envapp", 1)
	saved, err := exec.Command("docker", "save", image).Output()
	require.NoError(t, err)
	assert.Contains(t, string(saved), "visible-123", "the build's environment is in the image (build-env.json)")
	assert.NotContains(t, string(saved), secret, "the runtime-only secret is not in any layer of the image")
	build, launch := dockernames.CacheVolumes(s.instance, "envapp")
	for _, vol := range []string{build, launch} {
		found := exec.Command("docker", "run", "--rm", "--network", "none", "-v", vol+":/c:ro",
			"quayside/run:offline", "grep", "-rqF", secret, "/c")
		err := found.Run()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "grep in %s", vol)
		assert.Equal(t, 1, exit.ExitCode(), "the secret is not in the cache volume %s", vol)
	}

	t.Run("marks survive a change and can be undone", func(t *testing.T) {
		s.mustCLI("config", "set", "envapp", "RUNTIME_SECRET="+secret+"-2")
		assert.Regexp(t, `RUNTIME_SECRET\s+\S+\s+runtime-only`, s.mustCLI("config", "envapp"))
		s.mustCLI("config", "set", "envapp", "--build-visible", "RUNTIME_SECRET="+secret+"-2")
		assert.Regexp(t, `RUNTIME_SECRET\s+\S+\s+visible`, s.mustCLI("config", "envapp"))
		out, err := s.cli("config", "set", "envapp", "--build-visible", "--runtime-only", "X=1")
		require.Error(t, err, out)
	})

	t.Run("a Dockerfile gets the ARGs it declares", func(t *testing.T) {
		repo := sampleRepo(t, "args")
		writeFile(t, repo, "Dockerfile", "FROM scratch\nARG VISIBLE_TOKEN\nARG RUNTIME_SECRET\n"+
			"LABEL qs.test.visible=\"v=$VISIBLE_TOKEN\" qs.test.secret=\"s=$RUNTIME_SECRET\"\n"+
			"COPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nEXPOSE 5000\nCMD [\"/sampleapp\"]\n")
		commitAll(t, repo, "args")
		s.mustCLI("apps", "create", "dfargs")
		s.mustCLI("config", "set", "dfargs", "VISIBLE_TOKEN=visible-123", "UNDECLARED=x")
		s.mustCLI("config", "set", "dfargs", "--runtime-only", "RUNTIME_SECRET="+secret)
		out := s.mustPush(repo, "dfargs")
		assert.NotContains(t, out, "were not consumed", "undeclared config vars are not passed")
		cli := dockerClient(t)
		defer cli.Close()
		img, err := cli.ImageInspect(context.Background(), dockernames.ImageTag(s.instance, "dfargs", 1))
		require.NoError(t, err)
		assert.Equal(t, "v=visible-123", img.Config.Labels["qs.test.visible"])
		assert.Equal(t, "s=", img.Config.Labels["qs.test.secret"], "a runtime-only key is no build arg")
		assert.False(t, strings.Contains(out, secret))
	})
}
