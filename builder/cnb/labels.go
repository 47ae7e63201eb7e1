package cnb

import (
	"fmt"
	"strconv"
)

// Image labels. They are the twins of LabelInstance, LabelApp and
// LabelRelease in engine/docker and builder/dockerfile, which this package
// may not import. Keep them in step.
const (
	// LabelInstance holds the id of the Quayside server that owns the image.
	LabelInstance = "io.quayside.instance"
	// LabelApp holds the app name.
	LabelApp = "io.quayside.app"
	// LabelRelease holds the release number.
	LabelRelease = "io.quayside.release"
)

// Labels of the short-lived containers and networks pack makes for a build.
// They differ from LabelInstance and LabelApp on purpose: the runtime
// treats objects carrying those as app containers.
const (
	// LabelBuildInstance holds the id of the Quayside server building.
	LabelBuildInstance = "io.quayside.build.instance"
	// LabelBuildApp holds the name of the app being built.
	LabelBuildApp = "io.quayside.build.app"
)

// ImageTag is the tag of an app's release image.
func ImageTag(instance, app string, release int) string {
	return fmt.Sprintf("qs-%s/%s:v%d", instance, app, release)
}

// packTag is the tag pack writes the unlabelled image to; it is removed
// once the labelled image is tagged ImageTag.
func packTag(instance, app string, release int) string {
	return fmt.Sprintf("qs-%s/%s:v%d-cnb", instance, app, release)
}

// CacheVolumes are the names of an app's build and launch cache volumes.
// They do not depend on the release, so caches survive tag changes.
func CacheVolumes(instance, app string) (build, launch string) {
	prefix := fmt.Sprintf("qs-%s-%s-cache-", instance, app)
	return prefix + "build", prefix + "launch"
}

// imageLabels are the labels of the image of one release.
func imageLabels(instance, app string, release int) map[string]string {
	return map[string]string{
		LabelInstance: instance,
		LabelApp:      app,
		LabelRelease:  strconv.Itoa(release),
	}
}

// buildLabels are the labels of the containers and networks of one build.
func buildLabels(instance, app string) map[string]string {
	return map[string]string{LabelBuildInstance: instance, LabelBuildApp: app}
}
