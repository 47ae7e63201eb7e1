package ui_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/ui"
)

// TestServesPath keeps the split of the control host between the API side
// and the dashboard (cmd mounts them side by side) as the routes are.
func TestServesPath(t *testing.T) {
	for path, api := range map[string]bool{
		"/api/v1/apps":                true,
		"/api/v1/openapi.json":        true,
		"/metrics":                    true,
		"/install.sh":                 true,
		"/shop.git/info/refs":         true,
		"/shop.git/git-receive-pack":  true,
		"/shop/git-upload-pack":       true,
		"/shop.git/objects/anything":  true,
		"/":                           false,
		"/login":                      false,
		"/apps/shop":                  false,
		"/apps/shop/config":           false,
		"/assets/app.css":             false,
		"/api/v1":                     false,
		"/nothing/here":               false,
		"/apps/shop/info/refs/deeper": false,
	} {
		assert.Equal(t, api, ui.ServesPath(path), path)
	}
}
