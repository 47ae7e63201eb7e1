package offline_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appsDir holds the sample apps the end-to-end tests push too.
const appsDir = "../../e2e/testdata/apps"

func TestSampleAppsBuildAndAnswer(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		app        string
		body       string
		processes  []string
		buildpacks []string
		check      func(t *testing.T, base string)
	}{
		{"procfile", "Hello from the procfile sample", []string{"web", "worker"}, []string{"quayside/procfile"}, nil},
		{"go", "Hello from the go sample (go1.19", []string{"web"}, []string{"quayside/go"}, nil},
		{"go-vendor", "Hello from the go-vendor sample (started by the Procfile", []string{"web"}, []string{"quayside/go", "quayside/procfile"}, nil},
		{"python", "Hello from the python sample (Python 3.11", []string{"web"}, []string{"quayside/python"}, nil},
		{"python-wheel", "Hello from the python-wheel sample (quayside_greeting 1.0.0)", []string{"web"}, []string{"quayside/python"}, nil},
		{"nodejs", "Hello from the nodejs sample (node v18", []string{"web"}, []string{"quayside/nodejs"}, checkNodeEnv},
		{"static", "<h1>Hello from the static sample</h1>", []string{"web"}, []string{"quayside/static"}, checkStaticHeaders},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			start := time.Now()
			img, out, err := h.build(t, tt.app, filepath.Join(appsDir, tt.app), tt.app)
			require.NoError(t, err, "build output:\n%s", out)
			t.Logf("%s built in %s", tt.app, time.Since(start).Round(100*time.Millisecond))
			if testing.Verbose() {
				t.Logf("build output:\n%s", out)
			}

			processes, buildpacks, user, entrypoint := h.inspect(t, img)
			assert.ElementsMatch(t, tt.processes, processes)
			assert.Equal(t, tt.buildpacks, buildpacks)
			assert.Equal(t, "cnb", user, "apps run as the run image's non-root user")
			assert.Equal(t, "/cnb/process/web", entrypoint, "web is the default process")

			base := h.run(t, tt.app, img)
			resp, body := get(t, base+"/")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, body, tt.body)
			if tt.check != nil {
				tt.check(t, base)
			}
		})
	}
}

// checkNodeEnv: the node-env layer sets NODE_ENV for the app.
func checkNodeEnv(t *testing.T, base string) {
	_, body := get(t, base+"/")
	assert.Contains(t, body, "NODE_ENV=production")
}

// checkStaticHeaders: the static buildpack's server caches sanely and has a
// 404 page.
func checkStaticHeaders(t *testing.T, base string) {
	resp, _ := get(t, base+"/")
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	assert.NotEmpty(t, resp.Header.Get("ETag"))
	resp, _ = get(t, base+"/assets/app.3f9a2c1d.js")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "public, max-age=31536000, immutable", resp.Header.Get("Cache-Control"))
	resp, body := get(t, base+"/no/such/page")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Contains(t, body, "The static sample has no such page")
	resp, _ = get(t, base+"/assets/")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no directory listing")
}

func TestGoBuildCacheIsKeptBetweenBuilds(t *testing.T) {
	h := newHarness(t)
	app := filepath.Join(appsDir, "go-vendor")
	want := []string{"Go build cache: first build", "Go build cache: kept from the previous build"}
	for i, msg := range want {
		start := time.Now()
		_, out, err := h.build(t, "go-cache", app, "go-cache")
		require.NoError(t, err, "build output:\n%s", out)
		assert.Contains(t, out, msg)
		t.Logf("go-vendor sample, build %d: %s", i+1, time.Since(start).Round(100*time.Millisecond))
	}
}

func TestBuildFailuresSayWhatToDo(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"nothing to build", map[string]string{"README.md": "hi"},
			"No buildpack groups passed detection"},
		{"bad Procfile line", map[string]string{"Procfile": "# processes\nweb ./server\n"},
			`Procfile line 2: expected "<type>: <command>"`},
		{"requirements without wheels", map[string]string{"app.py": "print(1)\n", "requirements.txt": "flask==3.0.0\n"},
			"vendor/wheels/ is missing"},
		{"Node.js version that cannot be met", map[string]string{"package.json": `{"engines": {"node": ">=99"}}`, "server.js": ""},
			"package.json asks for Node >=99 (engines.node)"},
		{"Go module not vendored", map[string]string{
			"go.mod":  "module example.com/x\n\ngo 1.19\n\nrequire github.com/google/uuid v1.6.0\n",
			"main.go": "package main\n\nimport _ \"github.com/google/uuid\"\n\nfunc main() {}\n",
		}, "go.mod requires modules but vendor/ is missing"},
		{"Python app without an entry point", map[string]string{"server.py": "print(1)\n"},
			"found neither app.py nor main.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
			_, out, err := h.build(t, "fail", dir, "fail")
			require.Error(t, err)
			assert.Contains(t, out, tt.want)
			if testing.Verbose() {
				t.Logf("build output:\n%s", out)
			}
		})
	}
}

func TestPythonRequirementsAreReusedWhileUnchanged(t *testing.T) {
	h := newHarness(t)
	app := filepath.Join(appsDir, "python-wheel")
	_, out, err := h.build(t, "py-reuse", app, "py-reuse")
	require.NoError(t, err, "build output:\n%s", out)
	assert.Contains(t, out, "pip install -r requirements.txt from vendor/wheels/")
	_, out, err = h.build(t, "py-reuse", app, "py-reuse")
	require.NoError(t, err, "build output:\n%s", out)
	assert.Contains(t, out, "requirements unchanged: reusing the installed packages")
	assert.NotContains(t, out, "pip install -r requirements.txt")
}

func TestAppLayouts(t *testing.T) {
	h := newHarness(t)
	const server = `package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("layout ok")) })
	http.ListenAndServe(":"+os.Getenv("PORT"), nil)
}
`
	tests := []struct {
		name  string
		files map[string]string
		log   string
	}{
		{"go.mod with directives Go 1.19 does not know", map[string]string{
			"go.mod":  "module example.com/newer\n\ngo 1.21.0\n\ntoolchain go1.22.1\n",
			"main.go": server,
		}, "without the toolchain/godebug lines"},
		{"main package in cmd/<name>", map[string]string{
			"go.mod":          "module example.com/layout\n\ngo 1.19\n",
			"lib.go":          "package layout\n",
			"cmd/api/main.go": server,
		}, "go build ./cmd/api -> api"},
		{"Go without go.mod", map[string]string{"main.go": server}, "no go.mod"},
		{"static site in public/", map[string]string{"public/index.html": "layout ok", "README.md": "docs"}, "-root /workspace/public"},
		{"Python main.py", map[string]string{
			"main.py": "import http.server, os\n\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200); self.end_headers(); self.wfile.write(b'layout ok')\n\nhttp.server.HTTPServer(('', int(os.environ['PORT'])), H).serve_forever()\n",
		}, "web: python main.py"},
		{"Node.js main field", map[string]string{
			"package.json": `{"name": "x", "main": "lib/app.js"}`,
			"lib/app.js":   "require('http').createServer((q, s) => s.end('layout ok')).listen(process.env.PORT)\n",
		}, "web: node lib/app.js (main)"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			name := fmt.Sprintf("layout%d", i)
			img, out, err := h.build(t, name, dir, name)
			require.NoError(t, err, "build output:\n%s", out)
			assert.Contains(t, out, tt.log)
			resp, body := get(t, h.run(t, name, img)+"/")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "layout ok", body)
		})
	}
}
