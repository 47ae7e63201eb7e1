package main

import (
	"slices"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api/appflag"
)

// TestEveryAppCommandTakesTheAppFlag checks the --app rewrite against the
// real command line: every command whose first argument is the app gets
// it from -a, and from the git remote when left out unless the app is
// optional (appflag's tests cover the rewrite itself).
func TestEveryAppCommandTakesTheAppFlag(t *testing.T) {
	var c cli
	parser, err := kong.New(&c, kong.Name("quayside"))
	require.NoError(t, err)
	infer := func() (string, bool) { return "inferred", true }
	seen := 0
	for _, n := range parser.Model.Leaves(false) {
		if len(n.Positional) == 0 || n.Positional[0].Name != "app" {
			continue
		}
		seen++
		path := commandPath(n)
		want := append(slices.Clone(path), "shop")
		assert.Equal(t, want, appflag.Rewrite(parser.Model.Node, append([]string{"-a", "shop"}, path...), infer), "%v", path)
		want = append(slices.Clone(path), "inferred")
		if !n.Positional[0].Required { // insights [APP]: left out means every app
			want = path
		}
		assert.Equal(t, want, appflag.Rewrite(parser.Model.Node, path, infer), "%v", path)
	}
	assert.Greater(t, seen, 20, "the app commands were found")
}

// commandPath is the command words that reach n.
func commandPath(n *kong.Node) []string {
	var path []string
	for ; n != nil && n.Type == kong.CommandNode; n = n.Parent {
		path = append([]string{n.Name}, path...)
	}
	return path
}
