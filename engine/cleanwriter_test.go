package engine_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestCleanWriterCleansAStreamCutAnywhere(t *testing.T) {
	inputs := []string{
		"build \x1b[32mok\x1b[0m\n\x1b]52;c;Y3VybA==\x07step 2\x1b[6n\n",
		"title \x1b]0;owned\x1b\\done\r\nnext é 日本\n",
		"\x1bP1$qm\x1b\\dcs gone\x1b[2J\x1b[Hcursor gone\n",
		"a\rb\n",
		"ends in colour \x1b[31mred\x1b[0m",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, in := range inputs {
		want := engine.CleanText(in)
		for c := 0; c <= len(in); c++ {
			var out bytes.Buffer
			w := engine.NewCleanWriter(&out)
			_, _ = w.Write([]byte(in[:c]))
			_, _ = w.Write([]byte(in[c:]))
			assert.Equal(t, want, out.String(), "cut at %d of %q", c, in)
		}
		var out bytes.Buffer
		w := engine.NewCleanWriter(&out)
		for rest := in; rest != ""; {
			n := min(len(rest), 1+rng.IntN(5))
			_, _ = w.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		assert.Equal(t, want, out.String(), "random pieces of %q", in)
	}
}

func TestCleanWriterHoldsNoMoreThanItMust(t *testing.T) {
	var out bytes.Buffer
	w := engine.NewCleanWriter(&out)
	_, _ = w.Write([]byte("line one\n\x1b]52;c;"))
	assert.Equal(t, "line one\n", out.String(), "the unfinished OSC waits")
	_, _ = w.Write([]byte("\x07\x1b[31mred\x1b[0m"))
	assert.Equal(t, "line one\n\x1b[31mred\x1b[0m", out.String(), "a finished sequence is not held")
	out.Reset()
	_, _ = w.Write([]byte("\x1b]52;c;"))
	_, _ = w.Write(bytes.Repeat([]byte("A"), 5<<10))
	assert.Empty(t, out.String(), "a sequence too long to hold is cleaned (away) as it stands")
	_, _ = w.Write([]byte("AAAA\x07after\n"))
	assert.Equal(t, "AAAA\uFFFDafter\n", out.String())
}
