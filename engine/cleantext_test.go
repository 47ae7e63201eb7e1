package engine_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestCleanText(t *testing.T) {
	const r = "\uFFFD"
	tests := []struct{ name, in, want, plain string }{
		{"plain", "hello world", "hello world", ""},
		{"unicode", "naïve ✓ 日本 𝄞", "naïve ✓ 日本 𝄞", ""},
		{"newline and tab kept", "a\tb\nc", "a\tb\nc", ""},
		{"replacement char kept", r, r, ""},
		{"colour kept", "\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold\x1b[m", "\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold\x1b[m", "red bold"},
		{"SGR with a private marker is not plain colour", "\x1b[?25mx", "x", "x"},
		{"SGR with colon is not plain colour", "\x1b[38:2:1:2:3mx", "x", "x"},
		{"OSC 52 clipboard, BEL", "a\x1b]52;c;cm0gLXJmIH4=\x07b", "ab", "ab"},
		{"OSC 52 clipboard, ST", "a\x1b]52;c;cm0gLXJmIH4=\x1b\\b", "ab", "ab"},
		{"OSC window title", "\x1b]0;pwned\x07ok", "ok", "ok"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click", "click"},
		{"OSC with C1 ST", "a\x1b]2;t\u009cb", "ab", "ab"},
		{"unterminated OSC ends at the line", "a\x1b]52;c;AAAA\nnext", "a\nnext", "a\nnext"},
		{"DCS", "a\x1bP1$qm\x1b\\b", "ab", "ab"},
		{"DCS tmux passthrough", "a\x1bPtmux;\x1b\x1b]52;c;x\x07\x1b\\b", "ab", "ab"},
		{"APC PM SOS", "\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\x", "x", "x"},
		{"DSR query", "a\x1b[6nb", "ab", "ab"},
		{"DA query", "a\x1b[cb\x1b[>0c", "ab", "ab"},
		{"window ops report", "\x1b[21tx", "x", "x"},
		{"cursor movement", "\x1b[2J\x1b[H\x1b[1A\x1b[10;20Hx\x1b[K", "x", "x"},
		{"mode change", "\x1b[?1049hx\x1b[?1l", "x", "x"},
		{"two-byte escapes", "\x1bcx\x1b7y\x1b8\x1bMz", "xyz", "xyz"},
		{"charset designation", "\x1b(0x\x1b(B", "x", "x"},
		{"lone ESC at end", "x\x1b", "x", "x"},
		{"broken CSI", "x\x1b[12\x07y", "x" + r + "y", "x" + r + "y"},
		{"C1 CSI and OSC", "a\u009b6nb\u009d0;t\u009cc", "a" + r + "6nb" + r + "0;t" + r + "c", ""},
		{"carriage return", "100%\rdone\r\nx\r", "100%" + r + "done\nx", ""},
		{"NUL bell backspace DEL", "a\x00b\x07c\x08d\x7fe", "a" + r + "b" + r + "c" + r + "d" + r + "e", ""},
		{"invalid bytes", "a\xff\xfeb\xe2\x82", "a" + r + r + "b" + r + r, ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := engine.CleanText(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.Equal(t, got, engine.CleanText(got), "idempotent")
			plain := tt.plain
			if plain == "" {
				plain = tt.want
			}
			assert.Equal(t, plain, engine.PlainText(tt.in))
			assert.NotContains(t, engine.PlainText(tt.in), "\x1b")
			for _, esc := range strings.SplitAfter(got, "\x1b")[1:] {
				assert.Regexp(t, `^\[[0-9;]*m`, esc, "only plain colours survive")
			}
		})
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"\x1b[31mx", "\x1b]52;c;x\x07", "\x1bP\x1b\\", "a\rb", "\xff\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := engine.CleanText(s)
		if !utf8.ValidString(got) || engine.CleanText(got) != got || strings.ContainsAny(got, "\r\x07\x00\u009b\u009d") {
			t.Fatalf("CleanText(%q) = %q", s, got)
		}
		for _, esc := range strings.SplitAfter(got, "\x1b")[1:] {
			i := strings.IndexFunc(esc, func(r rune) bool { return !(r == '[' || r == ';' || r >= '0' && r <= '9') })
			if i < 1 || esc[0] != '[' || esc[i] != 'm' {
				t.Fatalf("CleanText(%q) = %q keeps a sequence that is not a plain colour", s, got)
			}
		}
	})
}
