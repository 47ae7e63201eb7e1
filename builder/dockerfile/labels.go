package dockerfile

import (
	"fmt"
	"strconv"
)

// Image labels. They are the twins of LabelInstance, LabelApp and
// LabelRelease in engine/docker (labels.go), which removes the images by
// them; this package may not import that one. Keep the two in step.
const (
	// LabelInstance holds the id of the Quayside server that owns the image.
	LabelInstance = "io.quayside.instance"
	// LabelApp holds the app name.
	LabelApp = "io.quayside.app"
	// LabelRelease holds the release number.
	LabelRelease = "io.quayside.release"
)

// ImageTag is the tag of an app's release image.
func ImageTag(instance, app string, release int) string {
	return fmt.Sprintf("qs-%s/%s:v%d", instance, app, release)
}

// imageLabels are the labels of the image of one release.
func imageLabels(instance, app string, release int) map[string]string {
	return map[string]string{
		LabelInstance: instance,
		LabelApp:      app,
		LabelRelease:  strconv.Itoa(release),
	}
}
