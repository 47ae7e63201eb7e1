// Package offline is Quayside's offline Cloud Native Buildpacks builder:
// the image quayside/builder:offline that builds Go, Python, Node.js, static
// and Procfile apps without a Dockerfile and without any network access.
// `make builder` (scripts/make-builder.sh) assembles it from the parts kept
// here; nothing is pulled from a registry:
//
//   - stack/: the Debian bookworm root file systems of the run and build
//     images (debootstrap, then packages installed in a chroot) and their
//     image configuration.
//   - lifecycle/: builds the CNB lifecycle 0.20.11 from its Go module source.
//   - buildpacks/: Quayside's own buildpacks (procfile, go, python, nodejs,
//     static); buildpacks/static/server is the file server the static
//     buildpack ships.
//   - builder.toml: the buildpacks and their detection order.
//   - mkbuilder/: creates the builder image with pack used as a library.
//
// The package has no Go API. Its test, run with QUAYSIDE_BUILDER_TEST=1 after
// `make builder`, builds the sample apps of e2e/testdata/apps with the builder
// through pack, runs each image and checks its answer. README.md says more.
package offline
