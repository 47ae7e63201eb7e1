package builder

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// mapSource is a commit whose files are a map.
type mapSource map[string]string

func (s mapSource) Archive(context.Context, io.Writer) error { return nil }
func (s mapSource) ReadFile(_ context.Context, p string) ([]byte, error) {
	if v, ok := s[p]; ok {
		return []byte(v), nil
	}
	return nil, engine.Errorf(engine.ENOTFOUND, "no %s", p)
}

// fakeMethod detects the source when it has file; it builds an image with
// the given processes.
type fakeMethod struct {
	file   string
	procs  []engine.Process
	builds int
}

func (m *fakeMethod) Name() string        { return m.file }
func (m *fakeMethod) Requirement() string { return "a file named " + m.file }
func (m *fakeMethod) Detect(ctx context.Context, src engine.Source) (bool, error) {
	_, err := src.ReadFile(ctx, m.file)
	return err == nil, nil
}
func (m *fakeMethod) Build(context.Context, engine.BuildRequest) (*engine.Image, error) {
	m.builds++
	return &engine.Image{Ref: m.file, Processes: m.procs}, nil
}

func TestAutoPicksTheFirstMethodThatDetects(t *testing.T) {
	docker, packs := &fakeMethod{file: "Dockerfile"}, &fakeMethod{file: "go.mod", procs: []engine.Process{{Type: "web"}}}
	a := New(docker, packs)
	img, err := a.Build(context.Background(), engine.BuildRequest{Source: mapSource{"go.mod": "", "Dockerfile": ""}})
	require.NoError(t, err)
	assert.Equal(t, "Dockerfile", img.Ref)
	img, err = a.Build(context.Background(), engine.BuildRequest{Source: mapSource{"go.mod": ""}})
	require.NoError(t, err)
	assert.Equal(t, "go.mod", img.Ref)

	_, err = a.Build(context.Background(), engine.BuildRequest{Source: mapSource{"README": ""}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "a file named Dockerfile")
	assert.Contains(t, engine.ErrorMessage(err), "a file named go.mod")
}

func TestAutoAppliesTheProcfileToImagesWithoutProcesses(t *testing.T) {
	docker := &fakeMethod{file: "Dockerfile"}
	src := mapSource{"Dockerfile": "", "Procfile": "web: /app serve\nworker: /app work --queue $QUEUE\n"}
	img, err := New(docker).Build(context.Background(), engine.BuildRequest{Source: src})
	require.NoError(t, err)
	assert.Equal(t, []engine.Process{
		{Type: "web", Entrypoint: []string{"/app", "serve"}, Display: "/app serve"},
		{Type: "worker", Entrypoint: []string{"/bin/sh", "-c", "/app work --queue $QUEUE"}, Display: "/app work --queue $QUEUE"},
	}, img.Processes)

	own := []engine.Process{{Type: "web", Entrypoint: []string{"/cnb/process/web"}}, {Type: "worker", Entrypoint: []string{"/cnb/process/worker"}, Display: "bash w"}}
	packs := &fakeMethod{file: "go.mod", procs: own}
	img, err = New(packs).Build(context.Background(), engine.BuildRequest{Source: mapSource{"go.mod": "", "Procfile": "web: x --port $PORT"}})
	require.NoError(t, err)
	assert.Equal(t, []engine.Process{
		{Type: "web", Entrypoint: []string{"/cnb/process/web"}, Display: "x --port $PORT"},
		{Type: "worker", Entrypoint: []string{"/cnb/process/worker"}, Display: "bash w"},
	}, img.Processes, "processes an image declares win; people see the Procfile's command, not the launcher")
}

// refusing is a method that detects everything and refuses to build it.
type refusing struct{ fakeMethod }

func (m *refusing) Detect(context.Context, engine.Source) (bool, error) { return true, nil }
func (m *refusing) Build(context.Context, engine.BuildRequest) (*engine.Image, error) {
	return nil, engine.Errorf(engine.EINVALID, "no buildpack recognised this app")
}

func TestAutoNamesTheOtherMethodsWhenOneCannotBuild(t *testing.T) {
	packs := &refusing{fakeMethod{file: "anything"}}
	_, err := New(&fakeMethod{file: "Dockerfile"}, packs).Build(context.Background(), engine.BuildRequest{Source: mapSource{"README": ""}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "no buildpack recognised this app\nOr use a file named Dockerfile.")
}

func TestAutoRefusesABadProcfileBeforeBuilding(t *testing.T) {
	docker := &fakeMethod{file: "Dockerfile"}
	_, err := New(docker).Build(context.Background(), engine.BuildRequest{Source: mapSource{"Dockerfile": "", "Procfile": "web ./x"}})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "Procfile line 1")
	assert.Zero(t, docker.builds)
}
