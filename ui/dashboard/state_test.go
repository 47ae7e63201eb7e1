package dashboard

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestShownState(t *testing.T) {
	live := &engine.App{State: "active", CurrentRelease: 2}
	fresh := &engine.App{State: "active"}
	rel := func(status string) *engine.Release { return &engine.Release{Status: status} }
	tests := []struct {
		app  *engine.App
		last *engine.Release
		want string
	}{
		{fresh, nil, "not deployed"},
		{fresh, rel(engine.ReleaseBuilding), "building"},
		{fresh, rel(engine.ReleaseDeploying), "deploying"},
		{fresh, rel(engine.ReleaseFailed), "failed"},
		{live, rel(engine.ReleaseBuilding), "active"},
		{&engine.App{State: "maintenance", CurrentRelease: 1}, nil, "maintenance"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shownState(tt.app, tt.last))
	}
	assert.Equal(t, "not-deployed", stateClass("not deployed"))
}

func TestLineClass(t *testing.T) {
	for text, want := range map[string]string{
		`127.0.0.1 - - [05/Dec/2026 02:00:00] "GET / HTTP/1.1" 200 -`: "se",
		"Traceback (most recent call last):":                          "e",
		"ERROR: cannot reach the database":                            "e",
		"panic: runtime error":                                        "e",
		"terrorist mode off":                                          "se",
	} {
		assert.Equal(t, want, lineClass(engine.StreamStderr, text), text)
	}
	assert.Equal(t, "x", lineClass(engine.StreamStdout, "error"), "stdout is never painted as an error")
	assert.Equal(t, "pl", lineClass(engine.StreamPlatform, "failed"))
}
