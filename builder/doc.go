// Package builder turns pushed source into images. It picks the first build
// method that recognises the source (a Dockerfile, later buildpacks) and
// tells the user what each method looked for when none does.
//
// Subpackages hold the methods and the way source arrives: receive (git
// push over SSH), dockerfile (docker build through the Docker API).
package builder
