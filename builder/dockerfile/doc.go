// Package dockerfile builds app images from a Dockerfile at the root of the
// pushed commit, with the Docker daemon's classic builder. It implements
// engine.Builder.
//
// It sits between the push (builder/receive hands it an engine.Source) and
// the runtime (engine/docker runs the image it returns). The commit's tree
// is streamed to the daemon as the build context without touching the disk
// or being held in memory, and the daemon's output reaches the pusher line
// by line as it happens. Images are tagged qs-<instance>/<app>:v<release>
// and labelled with the instance, app and release, the scheme engine/docker
// uses to find and remove them.
package dockerfile
