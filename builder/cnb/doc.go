// Package cnb builds app images without a Dockerfile with Cloud Native
// Buildpacks, using github.com/buildpacks/pack as a library. It implements
// engine.Builder and engine.CacheClearer and is the last build method
// builder.Auto tries: its Detect accepts every source, and the buildpacks of
// the builder image decide whether they recognise the app.
//
// It sits between the push (builder/receive hands it an engine.Source) and
// the runtime (engine/docker runs the image it returns). A build extracts the
// commit's tree safely into a private temporary directory, picks a builder
// image (the server's or the app's, else heroku/builder:24 when it is present
// or can be pulled, else the offline builder quayside/builder:offline), runs
// the lifecycle in one trusted "creator" container whose output reaches the
// pusher line by line, with per-app cache volumes and an optional memory
// limit, and then gives the result the tag qs-<instance>/<app>:v<release> and
// the instance, app and release labels engine/docker finds images by. The
// returned image lists the buildpack process types, each started through
// /cnb/process/<type>.
package cnb
