package builder

import (
	"context"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Method is one way of building an image.
type Method interface {
	// Name is a short name for the method ("dockerfile").
	Name() string
	// Requirement says in words what the method looks for in the source.
	Requirement() string
	// Detect reports whether the method can build src.
	Detect(ctx context.Context, src engine.Source) (bool, error)
	engine.Builder
}

// Auto builds with the first method that detects the source.
type Auto struct {
	methods []Method
}

var _ engine.Builder = (*Auto)(nil)

// New returns a builder that tries methods in order.
func New(methods ...Method) *Auto { return &Auto{methods: methods} }

// Build implements engine.Builder.
func (a *Auto) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	for _, m := range a.methods {
		ok, err := m.Detect(ctx, req.Source)
		if err != nil {
			return nil, err
		}
		if ok {
			return m.Build(ctx, req)
		}
	}
	return nil, a.noMethodError()
}

// noMethodError names every method Quayside accepts and what it looked for.
func (a *Auto) noMethodError() error {
	var b strings.Builder
	b.WriteString("Quayside does not know how to build this app. It accepts:")
	for _, m := range a.methods {
		b.WriteString("\n  - " + m.Requirement())
	}
	b.WriteString("\nAdd one of these to the pushed commit and push again.")
	return engine.Errorf(engine.EINVALID, "%s", b.String())
}
