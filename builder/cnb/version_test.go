package cnb

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLifecycleImageVersion keeps LifecycleImage in line with the lifecycle
// `make builder` builds and tags.
func TestLifecycleImageVersion(t *testing.T) {
	for _, f := range []struct{ path, re string }{
		{"../offline/lifecycle/build.sh", `(?m)^VERSION=(\S+)$`},
		{"../../scripts/make-builder.sh", `(?m)^LC_VERSION=(\S+)`},
	} {
		b, err := os.ReadFile(f.path)
		require.NoError(t, err)
		m := regexp.MustCompile(f.re).FindSubmatch(b)
		require.NotNil(t, m, "no version in %s", f.path)
		require.Equal(t, "quayside/lifecycle:"+string(m[1]), LifecycleImage, f.path)
	}
}
