package cnb

import "fmt"

// Labels of the short-lived containers and networks pack makes for a build.
// They differ from dockernames.LabelInstance and dockernames.LabelApp on
// purpose: the runtime treats objects carrying those as app containers.
const (
	// LabelBuildInstance holds the id of the Quayside server building.
	LabelBuildInstance = "io.quayside.build.instance"
	// LabelBuildApp holds the name of the app being built.
	LabelBuildApp = "io.quayside.build.app"
)

// packTag is the tag pack writes the unlabelled image to; it is removed
// once the labelled image is tagged dockernames.ImageTag.
func packTag(instance, app string, release int) string {
	return fmt.Sprintf("qs-%s/%s:v%d-cnb", instance, app, release)
}

// buildLabels are the labels of the containers and networks of one build.
func buildLabels(instance, app string) map[string]string {
	return map[string]string{LabelBuildInstance: instance, LabelBuildApp: app}
}
