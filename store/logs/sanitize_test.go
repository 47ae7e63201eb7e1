package logs

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "hello world", "hello world"},
		{"unicode kept", "naïve ✓ 日本", "naïve ✓ 日本"},
		{"tab kept", "a\tb", "a\tb"},
		{"colour kept", "\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"},
		{"invalid bytes", "a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"nul and bell", "\x00x\x07", "\uFFFDx\uFFFD"},
		{"del and C1", "a\x7fb\u0085c", "a\uFFFDb\uFFFDc"},
		{"truncated rune", "ab\xe2\x82", "ab\uFFFD\uFFFD"},
		{"OSC 52 and DSR removed", "a\x1b]52;c;cm0gLXJm\x07b\x1b[6nc", "abc"},
		{"cursor movement removed", "\x1b[2J\x1b[Hx", "x"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cleanText(tc.in)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestSplitText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"one line", "hi", []string{"hi"}},
		{"trailing newline", "hi\n", []string{"hi"}},
		{"crlf", "hi\r\n", []string{"hi"}},
		{"embedded newlines", "a\nb\r\nc", []string{"a", "b", "c"}},
		{"blank line", "", []string{""}},
		{"carriage return inside", "50%\r60%", []string{"50%\uFFFD60%"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, splitText(tc.in))
		})
	}
}

func TestLongLines(t *testing.T) {
	t.Run("split with a marker", func(t *testing.T) {
		in := strings.Repeat("é", engine.MaxLogLineBytes) + "end" // 2 bytes a rune: about 2.1 pieces
		pieces := splitText(in)
		require.Len(t, pieces, 3)
		var joined strings.Builder
		for i, p := range pieces {
			assert.LessOrEqual(t, len(p), engine.MaxLogLineBytes)
			assert.True(t, utf8.ValidString(p), "pieces end on rune boundaries")
			if i < len(pieces)-1 {
				require.True(t, strings.HasSuffix(p, ContinuedMarker))
				p = strings.TrimSuffix(p, ContinuedMarker)
			}
			joined.WriteString(p)
		}
		assert.Equal(t, in, joined.String())
	})
	t.Run("several megabytes are cut with a marker", func(t *testing.T) {
		in := strings.Repeat("y", 5<<20)
		pieces := splitText(in)
		assert.LessOrEqual(t, len(pieces), MaxLineBytes/(engine.MaxLogLineBytes-len(ContinuedMarker))+1)
		last := pieces[len(pieces)-1]
		assert.True(t, strings.HasSuffix(last, " [truncated 4194304 bytes]"), last[len(last)-40:])
		pieces[len(pieces)-1] = strings.TrimSuffix(last, " [truncated 4194304 bytes]")
		kept := 0
		for _, p := range pieces {
			assert.LessOrEqual(t, len(p), engine.MaxLogLineBytes)
			kept += strings.Count(p, "y")
		}
		assert.Equal(t, MaxLineBytes, kept)
	})
	t.Run("through the store", func(t *testing.T) {
		s := openStore(t, t.TempDir(), Options{})
		ch, err := s.Follow(t.Context(), engine.LogQuery{App: "shop"})
		require.NoError(t, err)
		s.Append(mkLine("shop", strings.Repeat("z", 3*engine.MaxLogLineBytes)))
		flush(t, s)
		lines := query(t, s, engine.LogQuery{App: "shop"})
		require.Len(t, lines, 4)
		assert.Equal(t, []uint64{1, 2, 3, 4}, seqs(lines))
		for _, l := range lines[:3] {
			assert.True(t, strings.HasSuffix(l.Text, ContinuedMarker))
			assert.Equal(t, "web", l.Process)
		}
		assert.Len(t, receive(t, ch, 4), 4, "followers get the pieces too")
	})
	t.Run("binary output is stored printable", func(t *testing.T) {
		s := openStore(t, t.TempDir(), Options{})
		s.Append(mkLine("shop", "\x00\x01\xff\xfePNG\x1a"), engine.LogLine{App: "shop", Process: "w\xffb", Text: "x"})
		flush(t, s)
		lines := query(t, s, engine.LogQuery{App: "shop"})
		require.Len(t, lines, 2)
		assert.Equal(t, "\uFFFD\uFFFD\uFFFD\uFFFDPNG\uFFFD", lines[0].Text)
		assert.Equal(t, "w\uFFFDb", lines[1].Process)
	})
}
