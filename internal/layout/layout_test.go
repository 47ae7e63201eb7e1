package layout

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/quayside/quayside/"

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

// listPackages returns the project's non-test packages with their imports.
func listPackages(t *testing.T) []pkg {
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// room is the top-level directory a package belongs to ("engine", "store", ...).
func room(path string) string {
	rest := strings.TrimPrefix(path, module)
	first, _, _ := strings.Cut(rest, "/")
	if strings.HasPrefix(rest, "engine/") {
		return rest // engine's adapters (engine/docker) are rooms of their own
	}
	return first
}

// domain are the packages of the deploy domain: standard library only,
// and every room may import them.
var domain = []string{module + "engine", module + "engine/insights", module + "engine/cron"}

func TestEngineImportsOnlyTheStandardLibrary(t *testing.T) {
	for _, p := range listPackages(t) {
		if !slices.Contains(domain, p.ImportPath) {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(domain, imp) {
				continue
			}
			require.NotContains(t, imp, ".", "%s imports %s: the domain must stay standard-library only", p.ImportPath, imp)
		}
	}
}

func TestSiblingsDoNotImportEachOther(t *testing.T) {
	for _, p := range listPackages(t) {
		from := room(p.ImportPath)
		if from == "cmd" || from == "e2e" || from == "internal" && strings.HasSuffix(p.ImportPath, "/layout") {
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := room(imp)
			allowed := to == from || slices.Contains(domain, imp) || extends[p.ImportPath] == imp || (to == "internal" && from != "internal") || strings.HasPrefix(imp, p.ImportPath+"/") ||
				strings.HasPrefix(p.ImportPath, strings.TrimSuffix(imp, "/")+"/")
			require.True(t, allowed, "%s imports %s: siblings meet only through engine's interfaces, wired in cmd", p.ImportPath, imp)
		}
	}
}

// extends are adapters built on another adapter: the Swarm runtime embeds
// the Docker runtime (services and plain containers share one daemon, and
// add-ons and one-offs stay plain containers).
var extends = map[string]string{module + "engine/swarm": module + "engine/docker"}

// testOnly are helper packages for tests; production code must not import them.
var testOnly = []string{module + "internal/enginetest", module + "internal/dockertest", module + "internal/dockernode"}

func TestTestHelpersStayInTests(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			for _, h := range testOnly {
				require.NotEqual(t, h, imp, "%s imports the test helper %s outside its tests", p.ImportPath, imp)
			}
		}
	}
}
