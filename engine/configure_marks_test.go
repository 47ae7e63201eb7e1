package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestApplyMarks(t *testing.T) {
	on, off := true, false
	vars := map[string]string{"A": "1", "B": "2", "C": "3"}
	tests := []struct {
		name  string
		marks []string
		ch    ConfigChange
		want  []string
	}{
		{"no flag keeps the marks of keys set again", []string{"A"}, ConfigChange{Set: map[string]string{"A": "x", "B": "y"}}, []string{"A"}},
		{"runtime-only marks the keys set", []string{"A"}, ConfigChange{Set: map[string]string{"C": "x"}, RuntimeOnly: &on}, []string{"A", "C"}},
		{"build-visible unmarks them", []string{"A", "B"}, ConfigChange{Set: map[string]string{"A": "x"}, RuntimeOnly: &off}, []string{"B"}},
		{"an unset key loses its mark", []string{"A", "D"}, ConfigChange{Unset: []string{"D"}}, []string{"A"}},
		{"nothing marked", nil, ConfigChange{Set: map[string]string{"A": "x"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, applyMarks(tt.marks, vars, tt.ch))
		})
	}
}

func TestBuildEnv(t *testing.T) {
	cv := &ConfigVersion{Vars: map[string]string{"DB": "x", "TOKEN": "t"}, RuntimeOnly: []string{"TOKEN"}}
	env := cv.BuildEnv()
	assert.Equal(t, map[string]string{"DB": "x"}, env)
	env["DB"] = "changed"
	assert.Equal(t, "x", cv.Vars["DB"], "BuildEnv returns a copy")
	assert.True(t, cv.IsRuntimeOnly("TOKEN"))
	assert.False(t, cv.IsRuntimeOnly("DB"))
}

func TestDescribeChangeMarks(t *testing.T) {
	on := true
	assert.Equal(t, "Set TOKEN (runtime-only)", describeChange(ConfigChange{Set: map[string]string{"TOKEN": "secret"}, RuntimeOnly: &on}))
}
