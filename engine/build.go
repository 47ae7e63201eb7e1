package engine

import (
	"context"
	"io"
)

// Source is the content of one pushed commit.
type Source interface {
	// Archive writes the commit's tree to w as an uncompressed tar stream.
	Archive(ctx context.Context, w io.Writer) error
	// ReadFile returns one file of the commit's tree; *Error with ENOTFOUND
	// when it does not exist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// BuildRequest asks a Builder to turn one commit into an image.
type BuildRequest struct {
	App     string
	Release int
	Commit  string
	Source  Source
	// Options are the push options (git push -o), such as "clear-cache".
	Options map[string]string
	// ClearCache asks for a build that reuses nothing from earlier builds.
	ClearCache bool
	// BuilderImage is the app's buildpack builder; "" means the server's default.
	BuilderImage string
	// Env are the config variables the build sees (the release's config
	// without its runtime-only keys): buildpacks get them in their
	// environment, a Dockerfile as build args where it declares the ARG.
	// Values are secrets: builders must not print them.
	Env map[string]string
	// Output receives the build's progress as it happens, line by line.
	Output io.Writer
}

// Image is a built image.
type Image struct {
	// Ref identifies the image for Runtime.Start.
	Ref string
	// Method says how it was built ("dockerfile", "buildpacks").
	Method string
	// Port is the one TCP port the image exposes, 0 if it exposes none or several.
	Port int
	// Processes are the process types the image declares (buildpack launch
	// processes, or a Procfile); none means the image's own command is web.
	Processes []Process
}

// Builder turns source into images. A build that runs and fails returns
// *Error with EDEPLOYFAILED and a message that says why; source it cannot
// build at all returns EINVALID with a message naming what it accepts.
type Builder interface {
	Build(ctx context.Context, req BuildRequest) (*Image, error)
}

// CacheClearer is a Builder that keeps a build cache per app.
type CacheClearer interface {
	// ClearCache forgets what earlier builds of app left for later ones.
	ClearCache(ctx context.Context, app string) error
}

// Repositories holds the apps' git repositories.
type Repositories interface {
	// RemoveRepository deletes an app's repository; a missing one is not an error.
	RemoveRepository(ctx context.Context, app string) error
}
