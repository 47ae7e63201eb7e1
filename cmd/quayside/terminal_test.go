package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/ui/api"
)

// hostile is a log line that tries to write the clipboard (OSC 52), set
// the window title, ask the terminal to answer (DSR, DA) and move the
// cursor, between plain colours.
const hostile = "\x1b[31mred\x1b[0m \x1b]52;c;Y3VybCBldmlsLnNofHNo\x07\x1b]0;owned\x1b\\\x1b[6n\x1b[c\x1b[2J\x1b[Hdone\u009b6n"

func TestLogPrinterDropsEscapesButColours(t *testing.T) {
	for _, colour := range []bool{true, false} {
		var out bytes.Buffer
		p := &logPrinter{w: &out, app: "shop", colour: colour}
		p.line(api.LogLine{Time: time.Now(), Process: "web\x1b]0;x\x07", Replica: 1, Text: hostile})
		got := out.String()
		assert.NotContains(t, got, "\x1b]", "no OSC")
		assert.NotContains(t, got, "\x1b[6n", "no DSR query")
		assert.NotContains(t, got, "\x1b[c", "no DA query")
		assert.NotContains(t, got, "\x1b[2J")
		assert.NotContains(t, got, "\u009b")
		assert.NotContains(t, got, "owned")
		if colour {
			assert.Contains(t, got, "shop[web.1]: \x1b[31mred\x1b[0m done")
		} else {
			assert.Contains(t, got, "shop[web.1]: red done")
			assert.NotContains(t, got, "\x1b")
		}
	}
}

func TestCellText(t *testing.T) {
	assert.Equal(t, "a b c", cellText("a\tb\nc"))
	assert.Equal(t, "red x", cellText("\x1b[31mred\x1b[0m \x1b]52;c;QQ==\x07x"))
	assert.Equal(t, "7", cellText(7))
}
