package builder

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestParseProcfile(t *testing.T) {
	good := "# processes\nweb: ./server --port $PORT\n\nworker:  bin/worker  \nrelease: bin/migrate\n"
	entries, err := ParseProcfile([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, []ProcfileEntry{
		{"web", "./server --port $PORT"}, {"worker", "bin/worker"}, {"release", "bin/migrate"},
	}, entries)

	bad := map[string]string{
		"web ./server":                 "line 1: expected `type: command`",
		"web: a\nweb: b":               "line 2: process type \"web\" is already defined on line 1",
		"Web: a":                       `line 1: "Web" is not a process type`,
		"1web: a":                      "is not a process type",
		"web:":                         `line 1: process type "web" has no command`,
		"\n\nworker: x\nbad line here": "line 4: expected",
		strings.Repeat("x", 70<<10):    "the limit is 65536",
	}
	for in, want := range bad {
		_, err := ParseProcfile([]byte(in))
		require.Error(t, err, in)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), want)
	}
}

func TestCommandArgs(t *testing.T) {
	cases := map[string][]string{
		"/app --flag x":       {"/app", "--flag", "x"},
		"  /app   ":           {"/app"},
		"/app --port $PORT":   {"/bin/sh", "-c", "/app --port $PORT"},
		"a && b":              {"/bin/sh", "-c", "a && b"},
		"echo 'quoted words'": {"/bin/sh", "-c", "echo 'quoted words'"},
		"FOO=1 /app":          {"/bin/sh", "-c", "FOO=1 /app"},
	}
	for in, want := range cases {
		assert.Equal(t, want, CommandArgs(in), in)
	}
}
