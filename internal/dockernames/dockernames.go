// Package dockernames is the one definition of the labels and tags that
// Quayside puts on the Docker objects it owns and that more than one package
// reads or writes: the runtime (engine/docker) finds and removes what the
// builders (builder/cnb, builder/dockerfile) made by them, and the test
// helpers (internal/dockertest) clean up by them. It imports nothing, so
// every room may use it without meeting a sibling.
package dockernames

import (
	"fmt"
	"strconv"
)

// Labels shared by images, containers and networks.
const (
	// LabelInstance holds the id of the Quayside server that owns the object.
	LabelInstance = "io.quayside.instance"
	// LabelApp holds the app name.
	LabelApp = "io.quayside.app"
	// LabelRelease holds the release number.
	LabelRelease = "io.quayside.release"
)

// ImageLabels are the labels of the image of one release.
func ImageLabels(instance, app string, release int) map[string]string {
	return map[string]string{LabelInstance: instance, LabelApp: app, LabelRelease: strconv.Itoa(release)}
}

// ImageTag is the tag of an app's release image: "qs-<instance>/<app>:v<release>".
func ImageTag(instance, app string, release int) string {
	return fmt.Sprintf("qs-%s/%s:v%d", instance, app, release)
}

// Build cache volumes are named "qs-<instance>-<app>" followed by one of
// these suffixes. pack creates them by name, without labels, so the name is
// what marks them as an instance's when the runtime collects garbage.
const (
	CacheBuildSuffix  = "-cache-build"
	CacheLaunchSuffix = "-cache-launch"
)

// CacheVolumes are the names of an app's build and launch cache volumes.
// They do not depend on the release, so caches survive tag changes.
func CacheVolumes(instance, app string) (build, launch string) {
	prefix := "qs-" + instance + "-" + app
	return prefix + CacheBuildSuffix, prefix + CacheLaunchSuffix
}
