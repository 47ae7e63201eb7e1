package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newRepo makes a git repository of files (path -> content) with one commit.
func newRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	gitIn(t, dir, "init", "-q", "--initial-branch=main")
	commitAll(t, dir, "first")
	return dir
}

// pyServer is a Python web app that answers with what greet() returns.
const pyServer = `import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from qs_greeting import greet


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = greet().encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("", int(os.environ["PORT"])), H).serve_forever()
`

// TestBuildpackPython pushes a Heroku-style Python app (Procfile `web:
// python app.py`) whose requirements come from a package index: pip
// installs them and their dependencies, `python` runs the app, the pip
// cache spares a second download, and with no index answering and no
// vendored wheels the build fails saying what to do.
func TestBuildpackPython(t *testing.T) {
	t.Parallel()
	ix := startPyIndex(t,
		wheel{name: "qs-greeting", version: "1.0", requires: []string{"qs-dep"},
			files: map[string]string{"qs_greeting/__init__.py": "from qs_dep import NAME\n\ndef greet():\n    return 'Hello from ' + NAME\n"}},
		wheel{name: "qs-dep", version: "2.0",
			files: map[string]string{"qs_dep/__init__.py": "NAME = 'the local index'\n"}},
	)
	s := startServer(t, "--builder", testBuilder())
	s.mustCLI("apps", "create", "py")
	s.mustCLI("config", "set", "py", "PIP_INDEX_URL="+ix.url, "PIP_TRUSTED_HOST="+ix.gateway)
	repo := newRepo(t, map[string]string{
		"Procfile":         "web: python app.py\n",
		"requirements.txt": "qs-greeting==1.0\n",
		"app.py":           pyServer,
	})
	out := s.mustPush(repo, "py")
	t.Logf("first push:\n%s", out)
	assert.Contains(t, out, "pip install -r requirements.txt from http://")
	assert.NotContains(t, out, "/simple/", "the index is named by host, never by its full URL (it may hold a password)")
	assert.Equal(t, "Hello from the local index", s.body("py", "/"))
	require.EqualValues(t, 2, ix.downloads.Load(), "both wheels downloaded once")

	writeFile(t, repo, "requirements.txt", "# greeting\nqs-greeting==1.0\n")
	commitAll(t, repo, "requirements changed")
	out = s.mustPush(repo, "py")
	assert.Contains(t, out, "pip install -r requirements.txt")
	assert.EqualValues(t, 2, ix.downloads.Load(), "the second install takes the wheels from pip's cache")

	writeFile(t, repo, "app.py", pyServer+"# changed\n")
	commitAll(t, repo, "code changed")
	out = s.mustPush(repo, "py")
	assert.Contains(t, out, "requirements unchanged: reusing the installed packages")
	assert.Equal(t, "Hello from the local index", s.body("py", "/"), "the packages layer is taken over from the previous image")

	writeFile(t, repo, "app.py", pyServer+"# changed again\n")
	commitAll(t, repo, "code changed again")
	out = s.mustPush(repo, "py")
	assert.Contains(t, out, "requirements unchanged: reusing the installed packages")
	assert.Equal(t, "Hello from the local index", s.body("py", "/"), "taken over from an image that took it over itself")

	writeFile(t, repo, "app.py", pyServer+"# cold\n")
	commitAll(t, repo, "a cold build")
	out, err := s.push(repo, "py", "--push-option=clear-cache")
	require.NoError(t, err, out)
	assert.Contains(t, out, "pip install -r requirements.txt", "a cold build reuses nothing")
	assert.Equal(t, "Hello from the local index", s.body("py", "/"))

	t.Run("no index answering and no wheels is a clear failure", func(t *testing.T) {
		s.mustCLI("apps", "create", "py-offline")
		s.mustCLI("config", "set", "py-offline", "PIP_INDEX_URL=http://"+ix.gateway+":1/simple/")
		out, err := s.push(newRepo(t, map[string]string{"requirements.txt": "qs-greeting==1.0\n", "app.py": pyServer}), "py-offline")
		require.Error(t, err)
		assert.Contains(t, out, "vendor/wheels/ is missing and the package index")
		assert.Contains(t, out, "did not answer")
	})
}

// nodeApp is a Node.js app depending on ms from the npm registry, with a
// build script that runs at build time with a dev dependency, and a server
// that shows what the build made and whether the dev dependency is gone.
var nodeApp = map[string]string{
	"package.json": `{
  "name": "qs-node-deps",
  "version": "1.0.0",
  "private": true,
  "scripts": {"build": "node build.js", "start": "node server.js"},
  "dependencies": {"ms": "2.1.3"},
  "devDependencies": {"is-number": "7.0.0"},
  "engines": {"node": ">=18"}
}
`,
	"build.js": `const fs = require("fs");
const isNumber = require("is-number");
fs.writeFileSync("built.txt", "built with is-number: " + isNumber(5));
console.log("build script ran");
`,
	"server.js": `const http = require("http");
const fs = require("fs");
const ms = require("ms");
let dev = "pruned";
try { require.resolve("is-number"); dev = "present"; } catch (e) {}
http.createServer((req, res) => {
  res.end("ms(2s)=" + ms("2s") + "; " + fs.readFileSync("built.txt", "utf8") + "; dev dependencies " + dev);
}).listen(Number(process.env.PORT));
`,
}

// TestBuildpackNode pushes a Node.js app that depends on a small real
// package from the npm registry: npm install (then npm ci once there is a
// lockfile) installs it, npm run build runs with the dev dependencies,
// which are pruned from the image; engines.node that cannot be met fails.
func TestBuildpackNode(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--builder", testBuilder())
	repo := newRepo(t, nodeApp)
	out := s.mustPush(repo, "node")
	t.Logf("first push:\n%s", out)
	assert.Contains(t, out, "npm install (no package-lock.json")
	assert.Contains(t, out, "build script ran")
	assert.Contains(t, out, "pruning dev dependencies")
	assert.Equal(t, "ms(2s)=2000; built with is-number: true; dev dependencies pruned", s.body("node", "/"))

	t.Run("a lockfile makes it npm ci", func(t *testing.T) {
		lock := exec.Command("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund")
		lock.Dir = repo
		b, err := lock.CombinedOutput()
		require.NoError(t, err, "npm on this machine makes the lockfile: %s", b)
		commitAll(t, repo, "lockfile")
		out := s.mustPush(repo, "node")
		assert.Contains(t, out, "npm ci (package-lock.json)")
		assert.Equal(t, "ms(2s)=2000; built with is-number: true; dev dependencies pruned", s.body("node", "/"))
	})
	t.Run("an unchanged lockfile reuses node_modules without npm", func(t *testing.T) {
		writeFile(t, repo, "server.js", strings.Replace(nodeApp["server.js"], "ms(2s)=", "again: ms(2s)=", 1))
		commitAll(t, repo, "change the code, not the dependencies")
		out := s.mustPush(repo, "node")
		assert.Contains(t, out, "package-lock.json unchanged: reusing node_modules from the previous build")
		assert.NotContains(t, out, "npm ci (")
		assert.Contains(t, out, "build script ran")
		assert.Equal(t, "again: ms(2s)=2000; built with is-number: true; dev dependencies pruned", s.body("node", "/"))
	})
	t.Run("package.json changed without its lockfile is not served from the cache", func(t *testing.T) {
		writeFile(t, repo, "package.json", strings.Replace(nodeApp["package.json"], `"ms": "2.1.3"`, `"ms": "2.1.2"`, 1))
		commitAll(t, repo, "change a dependency, forget the lockfile")
		out, err := s.push(repo, "node")
		require.Error(t, err, out)
		assert.NotContains(t, out, "reusing node_modules")
		assert.Contains(t, out, "npm ci needs package-lock.json to match package.json")
		assert.Contains(t, s.body("node", "/"), "again: ms(2s)=2000", "the release before keeps serving")
	})
	t.Run("engines.node that cannot be met fails clearly", func(t *testing.T) {
		app := map[string]string{
			"package.json": `{"name": "old", "version": "1.0.0", "engines": {"node": ">=99"}, "scripts": {"start": "node server.js"}}`,
			"server.js":    "require('http').createServer((q, r) => r.end('x')).listen(process.env.PORT)\n",
		}
		out, err := s.push(newRepo(t, app), "node-too-new")
		require.Error(t, err)
		assert.Contains(t, out, "package.json asks for Node >=99 (engines.node), but this builder has Node")
	})
}
