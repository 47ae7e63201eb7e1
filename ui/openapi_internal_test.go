package ui

import (
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
