package ui

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEveryRouteNamesItsBodies makes a new route say what JSON it takes and
// answers, so the OpenAPI description stays complete.
func TestEveryRouteNamesItsBodies(t *testing.T) {
	for _, r := range apiRoutes {
		_, ok := bodies[r.method+" "+r.path]
		assert.True(t, ok, "%s %s has no entry in bodies (ui/openapi.go)", r.method, r.path)
	}
	assert.Len(t, bodies, len(apiRoutes), "bodies lists a route that is not served")
}

// TestOpenAPIIsPerServer: each Server describes itself, made once, not
// whatever the first Server in the process described.
func TestOpenAPIIsPerServer(t *testing.T) {
	one, two := New(Config{Version: "1.0.0"}), New(Config{Version: "2.0.0"})
	assert.Equal(t, "1.0.0", one.openAPIDoc()["info"].(map[string]any)["version"])
	assert.Equal(t, "2.0.0", two.openAPIDoc()["info"].(map[string]any)["version"])
	first, again := one.openAPIDoc(), one.openAPIDoc()
	assert.Equal(t, fmt.Sprintf("%p", first), fmt.Sprintf("%p", again), "made once")
}
