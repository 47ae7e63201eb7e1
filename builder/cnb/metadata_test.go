package cnb

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

// buildMetadataSample is an io.buildpacks.build.metadata label as the
// lifecycle writes it (trimmed).
const buildMetadataSample = `{"bom":null,"buildpacks":[{"id":"quayside/procfile","version":"0.1.0"}],
"launcher":{"version":"0.20.11","source":{"git":{"repository":"github.com/buildpacks/lifecycle","commit":""}}},
"processes":[
 {"type":"web","command":["./server"],"args":["--port","$PORT"],"direct":true,"buildpackID":"quayside/procfile"},
 {"type":"worker","command":["bash","-c","./worker"],"args":null,"direct":true,"buildpackID":"quayside/procfile"},
 {"type":"release","command":["./migrate"],"args":null,"direct":true,"buildpackID":"quayside/procfile"},
 {"type":"web","command":["dup"],"direct":true},
 {"type":"../evil","command":["x"],"direct":true}
],"buildpack-default-process-type":"web"}`

func TestParseProcesses(t *testing.T) {
	tests := []struct {
		name  string
		label string
		want  []engine.Process
	}{
		{"sample", buildMetadataSample, []engine.Process{
			{Type: "web", Entrypoint: []string{"/cnb/process/web"}, Display: "./server --port $PORT"},
			{Type: "worker", Entrypoint: []string{"/cnb/process/worker"}, Display: "./worker"},
			{Type: "release", Entrypoint: []string{"/cnb/process/release"}, Display: "./migrate"},
		}},
		{"an older platform's string command", `{"processes":[{"type":"web","command":"python app.py","args":["-v"]}]}`,
			[]engine.Process{{Type: "web", Entrypoint: []string{"/cnb/process/web"}, Display: "python app.py -v"}}},
		{"no processes", `{"processes":[]}`, nil},
		{"missing label", "", nil},
		{"malformed label", `{"processes":`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseProcesses(tt.label))
		})
	}
}

func TestParseBuilderInfo(t *testing.T) {
	labels := map[string]string{
		labelBuilderMetadata: `{"description":"Quayside's offline builder",
"buildpacks":[
 {"id":"quayside/go","version":"0.1.0","name":"Go","description":"Go apps: a go.mod at the root"},
 {"id":"quayside/procfile","version":"0.1.0","description":"any app with a Procfile at the root"},
 {"id":"quayside/nameonly","version":"1.0.0"},
 {"id":"quayside/child","version":"0.1.0","description":"used by a composite"}],
"stack":{"runImage":{"image":"old/run:1"}},
"images":[{"image":"quayside/run:offline"}]}`,
		labelBuilderOrder: `[{"group":[{"id":"quayside/procfile","version":"0.1.0"}]},
 {"group":[{"id":"quayside/go","version":"0.1.0"},{"id":"quayside/procfile","version":"0.1.0","optional":true}]},
 {"group":[{"id":"quayside/nameonly","version":"1.0.0"}]},
 {"group":[{"id":"quayside/unknown"}]}]`,
		labelBuildpackLayers: `{"quayside/nameonly":{"1.0.0":{"api":"0.10","name":"Name Only","layerDiffID":"sha256:x"}}}`,
	}
	info := parseBuilderInfo(labels)
	assert.Equal(t, "quayside/run:offline", info.RunImage)
	var described []string
	for _, bp := range info.Buildpacks {
		described = append(described, bp.describe())
	}
	assert.Equal(t, []string{
		"quayside/procfile: any app with a Procfile at the root",
		"quayside/go: Go apps: a go.mod at the root",
		"quayside/nameonly (Name Only)",
		"quayside/unknown",
	}, described, "in the builder's order, once each, children of no group left out")

	t.Run("stack run image and no order", func(t *testing.T) {
		info := parseBuilderInfo(map[string]string{labelBuilderMetadata: `{"buildpacks":[{"id":"a/b"}],"stack":{"runImage":{"image":"old/run:1"}}}`})
		assert.Equal(t, "old/run:1", info.RunImage)
		assert.Equal(t, []buildpackInfo{{ID: "a/b"}}, info.Buildpacks)
	})
	t.Run("no labels", func(t *testing.T) {
		assert.Equal(t, builderInfo{}, parseBuilderInfo(nil))
	})
}
