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

var (
	_ engine.Builder      = (*Auto)(nil)
	_ engine.CacheClearer = (*Auto)(nil)
)

// New returns a builder that tries methods in order.
func New(methods ...Method) *Auto { return &Auto{methods: methods} }

// Build implements engine.Builder. A Procfile is checked before anything
// is built; its process types apply to images that declare none of their
// own (a Dockerfile image), each command run in the image.
func (a *Auto) Build(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	procfile, err := readProcfile(ctx, req.Source)
	if err != nil {
		return nil, err
	}
	m, err := a.detect(ctx, req.Source)
	if err != nil {
		return nil, err
	}
	img, err := m.Build(ctx, req)
	if engine.ErrorCode(err) == engine.EINVALID {
		return nil, a.withAlternatives(m, err)
	}
	if err != nil {
		return nil, err
	}
	if len(img.Processes) == 0 && len(procfile) > 0 {
		img.Processes = procfileProcesses(procfile)
	}
	showProcfileCommands(img.Processes, procfile)
	return img, nil
}

// detect returns the first method that recognises src.
func (a *Auto) detect(ctx context.Context, src engine.Source) (Method, error) {
	for _, m := range a.methods {
		ok, err := m.Detect(ctx, src)
		if err != nil {
			return nil, err
		}
		if ok {
			return m, nil
		}
	}
	return nil, a.noMethodError()
}

// ClearCache implements engine.CacheClearer for every method that keeps a cache.
func (a *Auto) ClearCache(ctx context.Context, app string) error {
	for _, m := range a.methods {
		if c, ok := m.(engine.CacheClearer); ok {
			if err := c.ClearCache(ctx, app); err != nil {
				return err
			}
		}
	}
	return nil
}

// showProcfileCommands shows the Procfile's command of each process type
// it declares, as the command people see, whatever runs it (a buildpack's
// launcher, /cnb/process/web).
func showProcfileCommands(ps []engine.Process, procfile []ProcfileEntry) {
	for i := range ps {
		for _, e := range procfile {
			if e.Type == ps[i].Type {
				ps[i].Display = e.Command
			}
		}
	}
}

// readProcfile returns the Procfile's entries, none if there is no Procfile.
func readProcfile(ctx context.Context, src engine.Source) ([]ProcfileEntry, error) {
	data, err := src.ReadFile(ctx, "Procfile")
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseProcfile(data)
}

// withAlternatives adds the other build methods to the error of a method
// that could not build the source at all.
func (a *Auto) withAlternatives(used Method, err error) error {
	var b strings.Builder
	b.WriteString(engine.ErrorMessage(err))
	for _, m := range a.methods {
		if m != used {
			b.WriteString("\nOr use " + m.Requirement() + ".")
		}
	}
	return engine.Errorf(engine.EINVALID, "%s", b.String())
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
