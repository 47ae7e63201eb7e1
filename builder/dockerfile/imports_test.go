package dockerfile

import (
	"go/build"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImports keeps the layout true: of this module, the package imports
// only engine (siblings never import each other; cmd wires them).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/quayside/quayside/") {
			assert.Equal(t, "github.com/quayside/quayside/engine", imp)
		}
	}
}
