package appflag

import (
	"testing"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCLI has the shapes of the quayside command line that the rewrite
// must know: an app-first command with flags, a default subcommand, a
// nested command, passthrough arguments, a --for-app filter and a command
// without an app.
type testCLI struct {
	App      string `short:"a" name:"app"`
	Releases struct {
		List struct {
			App   string `arg:""`
			Limit int    `short:"n" default:"20"`
		} `cmd:"" default:"withargs"`
	} `cmd:""`
	Config struct {
		Set struct {
			App   string   `arg:""`
			Pairs []string `arg:""`
		} `cmd:""`
	} `cmd:""`
	Logs struct {
		App    string `arg:""`
		Follow bool   `short:"f"`
		N      int    `short:"n" default:"100"`
	} `cmd:""`
	Run struct {
		App     string   `arg:""`
		Command []string `arg:"" passthrough:""`
	} `cmd:""`
	Audit struct {
		App string `name:"for-app"`
	} `cmd:""`
	Apps struct{} `cmd:""`
}

func TestRewrite(t *testing.T) {
	var c testCLI
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
		assert.Equal(t, tt.want, Rewrite(parser.Model.Node, tt.args, tt.infer), "%v", tt.args)
	}
}

func TestFromRemoteURL(t *testing.T) {
	for url, want := range map[string]string{
		"ssh://git@example.com:2222/shop.git":    "shop",
		"https://quayside.example.com/shop.git":  "shop",
		"https://quayside.example.com/shop.git/": "shop",
		"git@example.com:shop":                   "shop",
		"https://github.com/someone/Not_An_App":  "",
	} {
		got, ok := FromRemoteURL(url)
		assert.Equal(t, want, got, url)
		assert.Equal(t, want != "", ok, url)
	}
}
