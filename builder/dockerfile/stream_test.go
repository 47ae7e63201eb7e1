package dockerfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

func TestRelay(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		lines  string
		result result
	}{
		{"stream split mid-line",
			`{"stream":"Step 1/2 : FROM"}{"stream":" scratch\n ---> \n"}{"stream":"Step 2/2 : COPY a /a\n"}`,
			"Step 1/2 : FROM scratch\n ---> \nStep 2/2 : COPY a /a\n", result{}},
		{"aux gives the image id",
			`{"aux":{"ID":"sha256:abc"}}{"stream":"Successfully built abc\n"}`,
			"Successfully built abc\n", result{ImageID: "sha256:abc"}},
		{"error detail fails the build",
			`{"stream":"Step 2/2 : RUN x\n"}{"errorDetail":{"code":1,"message":"boom"},"error":"boom"}`,
			"Step 2/2 : RUN x\n", result{Failure: "boom"}},
		{"bare error fails the build",
			`{"error":"old daemon boom"}`, "", result{Failure: "old daemon boom"}},
		{"status lines shown once, progress bars skipped",
			`{"status":"Pulling from library/x","id":"latest"}{"status":"Downloading","id":"a1","progressDetail":{"current":5,"total":10}}` +
				`{"status":"Pull complete","id":"a1","progressDetail":{}}{"status":"Pull complete","id":"a1"}`,
			"latest: Pulling from library/x\na1: Pull complete\n", result{}},
		{"unterminated last line is relayed", `{"stream":"no newline"}`, "no newline\n", result{}},
		{"carriage returns trimmed", `{"stream":"progress 50%\r\n"}`, "progress 50%\n", result{}},
		{"empty stream", ``, "", result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := newOutput("")
			p := newProgress(out)
			res, err := relay(strings.NewReader(tt.stream), p)
			p.finish()
			require.NoError(t, err)
			assert.Equal(t, tt.result, res)
			assert.Equal(t, tt.lines, out.text())
			assert.Equal(t, strings.Count(tt.lines, "\n"), len(out.writes), "one write per line")
			assert.Equal(t, len(out.writes), out.flushes, "flushed after each line")
		})
	}
}

func TestRelayBadStream(t *testing.T) {
	_, err := relay(strings.NewReader(`{"stream":"ok\n"}{not json`), newProgress(nil))
	assert.ErrorContains(t, err, "decode build output")
}

func TestProgressTail(t *testing.T) {
	p := newProgress(nil)
	for i := 1; i <= 30; i++ {
		p.text(fmt.Sprintf("line %d\n", i))
	}
	lines := strings.Split(p.last(), "\n")
	require.Len(t, lines, tailLines)
	assert.Equal(t, "line 11", lines[0])
	assert.Equal(t, "line 30", lines[tailLines-1])
}

func TestProgressLongLine(t *testing.T) {
	out := newOutput("")
	p := newProgress(out)
	p.text(strings.Repeat("x", maxLineBytes+10))
	p.finish()
	require.Equal(t, 2, len(out.writes), "cut at the limit, the rest relayed at the end")
	assert.Equal(t, maxLineBytes+1, len(out.writes[0]))
	assert.Equal(t, strings.Repeat("x", 10)+"\n", out.writes[1])
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	return 0, errors.New("pusher hung up")
}

func TestProgressLongLineInPieces(t *testing.T) {
	out := newOutput("")
	p := newProgress(out)
	half := strings.Repeat("y", maxLineBytes/2)
	p.text(half)
	p.text(half)
	p.text(half + "\n")
	require.Equal(t, 2, len(out.writes))
	assert.Equal(t, maxLineBytes+1, len(out.writes[0]))
	assert.Equal(t, half+"\n", out.writes[1])
}

func TestProgressWriteError(t *testing.T) {
	w := &failingWriter{}
	p := newProgress(w)
	p.text("a\nb\nc\n")
	assert.Equal(t, 1, w.writes, "no writes after the first failure")
	assert.Equal(t, "a\nb\nc", p.last(), "the tail is still kept for the error message")
}

func TestExposedPort(t *testing.T) {
	tests := []struct {
		name  string
		ports []string
		want  int
	}{
		{"none", nil, 0},
		{"one tcp", []string{"8080/tcp"}, 8080},
		{"no protocol means tcp", []string{"3000"}, 3000},
		{"two tcp", []string{"8080/tcp", "9090/tcp"}, 0},
		{"udp ignored", []string{"53/udp", "80/tcp"}, 80},
		{"only udp", []string{"53/udp"}, 0},
		{"sctp ignored", []string{"9/sctp"}, 0},
		{"garbage ignored", []string{"abc/tcp", "0/tcp", "70000/tcp", "443/tcp"}, 443},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := map[string]struct{}{}
			for _, p := range tt.ports {
				set[p] = struct{}{}
			}
			assert.Equal(t, tt.want, exposedPort(set))
		})
	}
}

func TestOptions(t *testing.T) {
	b := New(nil, "ab12", nil)
	req := engine.BuildRequest{App: "shop", Release: 2}
	opts := b.options(req)
	assert.Equal(t, build.BuilderV1, opts.Version, "classic builder: BuildKit would pull a frontend")
	assert.False(t, opts.PullParent, "never pull")
	assert.Empty(t, opts.Platform, "a platform makes the daemon look for a pull")
	assert.True(t, opts.Remove)
	assert.True(t, opts.ForceRemove)
	assert.Equal(t, []string{"qs-ab12/shop:v2"}, opts.Tags)
	assert.Equal(t, dockernames.ImageLabels("ab12", "shop", 2), opts.Labels)
	assert.Zero(t, opts.Memory)
	assert.Zero(t, opts.MemorySwap)
	assert.Zero(t, opts.CPUQuota)

	b.Memory, b.CPUPeriod, b.CPUQuota = 512<<20, 100000, 50000
	opts = b.options(req)
	assert.Equal(t, int64(512<<20), opts.Memory)
	assert.Equal(t, int64(512<<20), opts.MemorySwap)
	assert.Equal(t, int64(100000), opts.CPUPeriod)
	assert.Equal(t, int64(50000), opts.CPUQuota)
}
