package cnb

import (
	"context"

	"github.com/quayside/quayside/engine"
)

// MethodName is the build method's short name, also engine.Image.Method.
const MethodName = "buildpacks"

// Name is the build method's short name.
func (b *Builder) Name() string { return MethodName }

// Requirement says what the method looks for, for users whose push no
// method accepted.
func (b *Builder) Requirement() string {
	return "no Dockerfile: Cloud Native Buildpacks detect the app's language from its files " +
		"(a Procfile, go.mod, requirements.txt, package.json, index.html, ...) and build it; the app listens on $PORT"
}

// Detect accepts every source: buildpacks are the fallback after the
// Dockerfile method, and whether the builder's buildpacks recognise the app
// is only known by running their detection, which Build does.
func (b *Builder) Detect(ctx context.Context, src engine.Source) (bool, error) {
	return true, nil
}
