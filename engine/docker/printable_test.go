package docker

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// printWhole makes a whole line printable in one piece.
func printWhole(p []byte) string {
	var s printable
	return string(s.finish(s.append(nil, p)))
}

// printPieces makes a line printable fed in pieces cut at cuts.
func printPieces(p []byte, cuts []int) string {
	var s printable
	var out []byte
	last := 0
	for _, c := range cuts {
		out = s.append(out, p[last:c])
		last = c
	}
	return string(s.finish(s.append(out, p[last:])))
}

func TestPrintable(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "hello world", "hello world"},
		{"tab and escape kept", "\x1b[31mred\x1b[0m\tx", "\x1b[31mred\x1b[0m\tx"},
		{"utf-8 kept", "héllo € 𝄞 日本", "héllo € 𝄞 日本"},
		{"replacement char kept", r, r},
		{"NUL", "a\x00b", "a" + r + "b"},
		{"bell kept for engine.CleanText to end an OSC", "a\x1b]0;t\x07c", "a\x1b]0;t\x07c"},
		{"DEL", "a\x7fb", "a" + r + "b"},
		{"C1 control", "a\u0085b\u009bc", "a" + r + "b" + r + "c"},
		{"invalid byte", "a\xffb", "a" + r + "b"},
		{"each invalid byte", "\xfe\xff", r + r},
		{"lone continuation", "\x80x", r + "x"},
		{"truncated rune inside", "\xe2\x82x", r + r + "x"},
		{"truncated rune at end is one", "x\xe2\x82", "x" + r},
		{"overlong", "\xc0\xaf", r + r},
		{"surrogate", "\xed\xa0\x80", r + r + r},
		{"trailing CR dropped", "line\r", "line"},
		{"CR alone dropped", "\r", ""},
		{"CR inside replaced", "a\rb", "a" + r + "b"},
		{"two CRs: the last dropped", "a\r\r", "a" + r},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, printWhole([]byte(tt.in)))
			for c := 0; c <= len(tt.in); c++ { // one cut anywhere changes nothing
				assert.Equal(t, tt.want, printPieces([]byte(tt.in), []int{c}), "cut at %d", c)
			}
			if len(tt.in) > 0 { // nor a piece per byte
				cuts := make([]int, len(tt.in)-1)
				for i := range cuts {
					cuts[i] = i + 1
				}
				assert.Equal(t, tt.want, printPieces([]byte(tt.in), cuts), "byte by byte")
			}
		})
	}
}

// alphabet makes random lines likely to hit every case of printable.
var alphabet = []string{"a", "Z", " ", "\t", "\x1b", "\r", "\x00", "\x7f", "\xff", "\x80", "\xc3", "\xa9",
	"é", "€", "𝄞", "\xe2\x82", "\xf0\x9d", "\u0085", "\uFFFD"}

func TestPrintablePiecesEqualWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := []byte(b.String())
		cuts := randomCuts(rng, len(in))
		want := printWhole(in)
		assert.Equal(t, want, printPieces(in, cuts), "%q cut at %v", in, cuts)
		assertPrintable(t, want)
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add([]byte("a\xe2\x82\xacb\r"), uint64(1))
	f.Add([]byte("\xf0\x9d\x84\x9e\x00\xff"), uint64(7))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		want := printWhole(in)
		assertPrintable(t, want)
		assert.Equal(t, want, printPieces(in, randomCuts(rand.New(rand.NewPCG(seed, 0)), len(in))))
		if utf8.Valid(in) && !strings.ContainsFunc(string(in), isUnprintable) {
			assert.Equal(t, strings.TrimSuffix(string(in), "\r"), want, "printable input passes unchanged")
		}
	})
}

// randomCuts returns sorted cut points in [0, n].
func randomCuts(rng *rand.Rand, n int) []int {
	var cuts []int
	for c := 0; c <= n; c += 1 + rng.IntN(4) {
		cuts = append(cuts, c)
	}
	return cuts
}

// isUnprintable reports whether printable replaces r.
func isUnprintable(r rune) bool {
	return (r < 0x20 && r != '\t' && r != 0x1b) || (r >= 0x7f && r < 0xa0)
}

// assertPrintable checks that s is valid UTF-8 free of what printable
// replaces.
func assertPrintable(t *testing.T, s string) {
	t.Helper()
	assert.True(t, utf8.ValidString(s), "valid UTF-8: %q", s)
	assert.False(t, strings.ContainsFunc(s, isUnprintable), "no control characters: %q", s)
}
