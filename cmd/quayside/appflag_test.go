package main

import (
	"testing"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api/appflag"
)

// TestAppFlagOnTheCommandLine checks the --app rewrite against the real
// command line (appflag_test covers the rewrite itself).
func TestAppFlagOnTheCommandLine(t *testing.T) {
	var c cli
	parser, err := kong.New(&c, kong.Name("quayside"))
	require.NoError(t, err)
	infer := func() (string, bool) { return "inferred", true }
	none := func() (string, bool) { return "", false }
	tests := []struct {
		args  []string
		infer func() (string, bool)
		want  []string
	}{
		{[]string{"releases", "shop"}, infer, []string{"releases", "shop"}},
		{[]string{"releases"}, infer, []string{"releases", "inferred"}},
		{[]string{"releases"}, none, []string{"releases"}},
		{[]string{"-a", "shop", "releases"}, infer, []string{"releases", "shop"}},
		{[]string{"releases", "--app=shop", "-n", "5"}, infer, []string{"releases", "shop", "-n", "5"}},
		{[]string{"config", "set", "K=V"}, infer, []string{"config", "set", "inferred", "K=V"}},
		{[]string{"config", "set", "shop", "K=V"}, infer, []string{"config", "set", "shop", "K=V"}},
		{[]string{"logs", "-n", "5", "-f"}, infer, []string{"logs", "inferred", "-n", "5", "-f"}},
		{[]string{"run", "-a", "shop", "--", "ls", "-a"}, infer, []string{"run", "shop", "--", "ls", "-a"}},
		{[]string{"audit", "--app", "shop"}, infer, []string{"audit", "--for-app=shop"}},
		{[]string{"audit"}, infer, []string{"audit"}},
		{[]string{"apps"}, infer, []string{"apps"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, appflag.Rewrite(parser.Model.Node, tt.args, tt.infer), "%v", tt.args)
	}
}
