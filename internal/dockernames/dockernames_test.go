package dockernames

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImageTag(t *testing.T) {
	for _, tc := range []struct {
		instance, app string
		release       int
		want          string
	}{
		{"ab12", "shop", 7, "qs-ab12/shop:v7"},
		{"ff00", "a-b", 1, "qs-ff00/a-b:v1"},
	} {
		assert.Equal(t, tc.want, ImageTag(tc.instance, tc.app, tc.release))
	}
}

func TestCacheVolumes(t *testing.T) {
	build, launch := CacheVolumes("ab12", "shop")
	assert.Equal(t, "qs-ab12-shop-cache-build", build)
	assert.Equal(t, "qs-ab12-shop-cache-launch", launch)
}

func TestImageLabels(t *testing.T) {
	assert.Equal(t, map[string]string{"io.quayside.instance": "ab12", "io.quayside.app": "shop", "io.quayside.release": "7"},
		ImageLabels("ab12", "shop", 7))
}
