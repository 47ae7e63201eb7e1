package docker

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docker/docker/pkg/stdcopy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// msg is one message of a synthetic log stream: a frame of stream holding
// "<time> <text>" (just text when time is "").
type msg struct {
	stream stdcopy.StdType
	time   string
	text   string
}

// muxed is the multiplexed stream Docker sends for msgs.
func muxed(t testing.TB, msgs ...msg) []byte {
	var buf bytes.Buffer
	for _, m := range msgs {
		payload := m.text
		if m.time != "" {
			payload = m.time + " " + m.text
		}
		_, err := stdcopy.NewStdWriter(&buf, m.stream).Write([]byte(payload))
		require.NoError(t, err)
	}
	return buf.Bytes()
}

// template is the line every test line carries.
var template = engine.LogLine{App: "shop", Process: "web", Replica: 2, Release: 7}

// readStream runs a logStream over stream and returns the lines and the
// error it returned.
func readStream(stream []byte) ([]engine.LogLine, error) {
	var lines []engine.LogLine
	deliver := func(l engine.LogLine) { lines = append(lines, l) }
	stdout, stderr := template, template
	stdout.Stream, stderr.Stream = engine.StreamStdout, engine.StreamStderr
	err := newLogStream(bytes.NewReader(stream), newLineBuilder(stdout, deliver), newLineBuilder(stderr, deliver)).run()
	return lines, err
}

// texts is the Text of each line.
func texts(lines []engine.LogLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

const (
	t1 = "2024-05-01T10:00:00.000000001Z"
	t2 = "2024-05-01T10:00:00.000000002Z"
	t3 = "2024-05-01T10:00:00.000000003Z"
)

// at parses a test time.
func at(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func TestLogStreamLines(t *testing.T) {
	lines, err := readStream(muxed(t,
		msg{stdcopy.Stdout, t1, "first\n"},
		msg{stdcopy.Stderr, t2, "oops\n"},
		msg{stdcopy.Stdout, t3, "second\n"},
	))
	require.NoError(t, err)
	want := []engine.LogLine{
		{App: "shop", Process: "web", Replica: 2, Release: 7, Stream: "stdout", Time: at(t1), Text: "first"},
		{App: "shop", Process: "web", Replica: 2, Release: 7, Stream: "stderr", Time: at(t2), Text: "oops"},
		{App: "shop", Process: "web", Replica: 2, Release: 7, Stream: "stdout", Time: at(t3), Text: "second"},
	}
	require.Len(t, lines, 3)
	for i := range want {
		assert.True(t, want[i].Time.Equal(lines[i].Time), "line %d time", i)
		want[i].Time = lines[i].Time
	}
	assert.Equal(t, want, lines)
}

func TestLogStreamShapes(t *testing.T) {
	big := strings.Repeat("a", engine.MaxLogLineBytes)
	piece := engine.MaxLogLineBytes - len(engine.LogContinuedMarker) // text of a continued piece
	cont := engine.LogContinuedMarker
	tests := []struct {
		name  string
		msgs  []msg
		want  []string
		times []string
	}{
		{"empty line", []msg{{stdcopy.Stdout, t1, "\n"}}, []string{""}, []string{t1}},
		{"CRLF", []msg{{stdcopy.Stdout, t1, "dos\r\n"}}, []string{"dos"}, []string{t1}},
		{"no newline at the end", []msg{{stdcopy.Stdout, t1, "a\n"}, {stdcopy.Stdout, t2, "tail"}},
			[]string{"a", "tail"}, []string{t1, t2}},
		{"two lines in one message share its time", []msg{{stdcopy.Stdout, t1, "a\nb\n"}},
			[]string{"a", "b"}, []string{t1, t1}},
		{"partial messages joined, stderr passes between", []msg{
			{stdcopy.Stdout, t1, "hel"}, {stdcopy.Stderr, t2, "err\n"}, {stdcopy.Stdout, t1, "lo\n"}},
			[]string{"err", "hello"}, []string{t2, t1}},
		{"a line takes the time of its first piece", []msg{{stdcopy.Stdout, t1, "a"}, {stdcopy.Stdout, t3, "b\nc\n"}},
			[]string{"ab", "c"}, []string{t1, t3}},
		{"rune cut between partial messages", []msg{{stdcopy.Stdout, t1, "\xe2\x82"}, {stdcopy.Stdout, t1, "\xac\n"}},
			[]string{"€"}, []string{t1}},
		{"CR cut from its LF", []msg{{stdcopy.Stdout, t1, "x\r"}, {stdcopy.Stdout, t1, "\n"}}, []string{"x"}, []string{t1}},
		{"binary made printable", []msg{{stdcopy.Stdout, t1, "a\x00\xff\x1b[1mb\tc\n"}},
			[]string{"a\uFFFD\uFFFD\x1b[1mb\tc"}, []string{t1}},
		{"exactly the limit stays whole", []msg{{stdcopy.Stdout, t1, big + "\n"}}, []string{big}, []string{t1}},
		{"one byte more is split, the first piece marked", []msg{{stdcopy.Stdout, t1, big}, {stdcopy.Stdout, t1, "b\n"}},
			[]string{big[:piece] + cont, big[piece:] + "b"}, []string{t1, t1}},
		{"split keeps runes whole", []msg{{stdcopy.Stdout, t1, big[:piece-1] + "€z" + big + "\n"}},
			[]string{big[:piece-1] + cont, "€z" + big[:piece-4] + cont, big[piece-4:]}, []string{t1, t1, t1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := readStream(muxed(t, tt.msgs...))
			require.NoError(t, err)
			assert.Equal(t, tt.want, texts(lines))
			require.Len(t, lines, len(tt.times))
			for i, ts := range tt.times {
				assert.True(t, at(ts).Equal(lines[i].Time), "line %d: time %s, want %s", i, lines[i].Time, ts)
			}
		})
	}
}

func TestLogStreamLongLine(t *testing.T) {
	line := make([]byte, 100<<10)
	for i := range line {
		line[i] = byte('a' + i/1000%26)
	}
	var msgs []msg // as Docker logs it: 16 KiB partial messages, the last with the newline
	for rest := string(line); rest != ""; {
		n := min(len(rest), 16<<10)
		msgs, rest = append(msgs, msg{stdcopy.Stdout, t1, rest[:n]}), rest[n:]
	}
	msgs[len(msgs)-1].text += "\n"
	msgs = append(msgs, msg{stdcopy.Stdout, t2, "after\n"})

	lines, err := readStream(muxed(t, msgs...))
	require.NoError(t, err)
	require.Len(t, lines, 8)
	var joined strings.Builder
	for i, l := range lines[:7] {
		text := l.Text
		if i < 6 {
			assert.Len(t, l.Text, engine.MaxLogLineBytes, "piece %d is full", i)
			assert.True(t, strings.HasSuffix(text, engine.LogContinuedMarker), "piece %d is marked as continued", i)
			text = strings.TrimSuffix(text, engine.LogContinuedMarker)
		}
		assert.True(t, at(t1).Equal(l.Time))
		joined.WriteString(text)
	}
	assert.Equal(t, string(line), joined.String(), "pieces in order")
	assert.Equal(t, "after", lines[7].Text)
}

func TestLogStreamSplitsExpandedBinary(t *testing.T) {
	// 16 KiB of invalid bytes become 48 KiB of U+FFFD: split, runes whole.
	lines, err := readStream(muxed(t, msg{stdcopy.Stdout, t1, strings.Repeat("\xff", 16<<10) + "\n"}))
	require.NoError(t, err)
	total := 0
	for _, l := range lines {
		assert.LessOrEqual(t, len(l.Text), engine.MaxLogLineBytes)
		assert.True(t, utf8.ValidString(l.Text))
		total += utf8.RuneCountInString(strings.TrimSuffix(l.Text, engine.LogContinuedMarker))
	}
	assert.Len(t, lines, 4)
	assert.Equal(t, 16<<10, total, "one U+FFFD per byte")
}

func TestLogStreamCutsHugeLines(t *testing.T) {
	huge := strings.Repeat("z", 3<<20)
	var msgs []msg
	for rest := huge; rest != ""; {
		n := min(len(rest), 16<<10)
		msgs, rest = append(msgs, msg{stdcopy.Stdout, t1, rest[:n]}), rest[n:]
	}
	msgs[len(msgs)-1].text += "\n"
	msgs = append(msgs, msg{stdcopy.Stdout, t2, "next\n"})
	lines, err := readStream(muxed(t, msgs...))
	require.NoError(t, err)
	kept := 0
	for _, l := range lines[:len(lines)-2] {
		assert.True(t, strings.HasSuffix(l.Text, engine.LogContinuedMarker))
		kept += len(l.Text) - len(engine.LogContinuedMarker)
	}
	last := lines[len(lines)-2].Text
	assert.True(t, strings.HasSuffix(last, engine.LogTruncatedMarker(3<<20-engine.MaxLogLineTotal)), "cut with a marker: %q", last[max(0, len(last)-40):])
	kept += len(last) - len(engine.LogTruncatedMarker(3<<20-engine.MaxLogLineTotal))
	assert.Equal(t, engine.MaxLogLineTotal, kept, "the first MiB is kept")
	assert.Equal(t, "next", lines[len(lines)-1].Text, "the next line is whole")
}

func TestLogStreamWithoutTime(t *testing.T) {
	before := time.Now()
	lines, err := readStream(muxed(t, msg{stdcopy.Stdout, "", "no time here\n"}, msg{stdcopy.Stdout, "", "x\n"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"no time here", "x"}, texts(lines))
	assert.False(t, lines[0].Time.Before(before.Add(-time.Second)), "stamped when read")
}

func TestLogStreamErrors(t *testing.T) {
	good := muxed(t, msg{stdcopy.Stdout, t1, "kept\n"})
	tests := []struct {
		name   string
		stream []byte
		want   string
		lines  []string
	}{
		{"daemon error", slices.Concat(good, muxed(t, msg{stdcopy.Systemerr, "", "Error grabbing logs: bad json\n"})),
			"the daemon reported: Error grabbing logs: bad json", []string{"kept"}},
		{"stdin frame", slices.Concat(good, muxed(t, msg{stdcopy.Stdin, "", "?"})),
			"unexpected stream type 0 in the log stream", []string{"kept"}},
		{"cut in a header", slices.Concat(good, []byte{1, 0, 0}), io.ErrUnexpectedEOF.Error(), []string{"kept"}},
		{"cut in a message", good[:len(good)-3], io.ErrUnexpectedEOF.Error(), nil},
		{"cut in a time", good[:12], io.ErrUnexpectedEOF.Error(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := readStream(tt.stream)
			assert.EqualError(t, err, tt.want)
			assert.Equal(t, tt.lines, nilIfEmpty(texts(lines)))
		})
	}
}

// nilIfEmpty is s, or nil when s is empty.
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// numbered is a stream of n stdout lines "line 1"... as Docker sends them.
func numbered(t testing.TB, n int) []byte {
	msgs := make([]msg, n)
	for i := range msgs {
		msgs[i] = msg{stdcopy.Stdout, t1, fmt.Sprintf("line %d\n", i+1)}
	}
	return muxed(t, msgs...)
}

// TestLogStreamKeepsUp reads a long stream whole and in order; its speed
// is BenchmarkLogStream's business.
func TestLogStreamKeepsUp(t *testing.T) {
	const n = 20000
	stream := numbered(t, n)
	lines, err := readStream(stream)
	require.NoError(t, err)
	require.Len(t, lines, n)
	for i, l := range lines {
		if l.Text != fmt.Sprintf("line %d", i+1) {
			require.Failf(t, "out of order", "line %d is %q", i+1, l.Text)
		}
	}
}

func TestLogStreamAllocatesOnlyTheText(t *testing.T) {
	const n = 1000
	stream := numbered(t, n)
	deliver := func(engine.LogLine) {}
	allocs := testing.AllocsPerRun(5, func() {
		s := newLogStream(bytes.NewReader(stream), newLineBuilder(template, deliver), newLineBuilder(template, deliver))
		_ = s.run()
	})
	assert.Less(t, allocs/n, 1.05, "one string per line, plus a few per stream (%.0f in all)", allocs)
}

func BenchmarkLogStream(b *testing.B) {
	const n = 10000
	stream := numbered(b, n)
	deliver := func(engine.LogLine) {}
	b.SetBytes(int64(len(stream)))
	b.ResetTimer()
	for range b.N {
		s := newLogStream(bytes.NewReader(stream), newLineBuilder(template, deliver), newLineBuilder(template, deliver))
		if err := s.run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}
