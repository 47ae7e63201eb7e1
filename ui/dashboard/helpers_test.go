package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/ui/metrics"
)

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/":                    "/",
		"/apps/shop?x=1":       "/apps/shop?x=1",
		"//evil.example/":      "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"apps/shop":            "/",
		"/ok\r\nSet-Cookie: x": "/",
		"/%2f%2fevil.example":  "/%2f%2fevil.example",
	} {
		assert.Equal(t, want, localPath(in), in)
	}
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "—", duration(0))
	assert.Equal(t, "250ms", duration(250*time.Millisecond))
	assert.Equal(t, "12.5s", duration(12500*time.Millisecond))
	assert.Equal(t, "2m 5s", duration(125*time.Second))
	assert.Equal(t, "1h 2m", duration(62*time.Minute))
	assert.Equal(t, "512 B", byteSize(512))
	assert.Equal(t, "48.0 MiB", byteSize(48<<20))
	assert.Equal(t, "1.5 GiB", byteSize(1.5*(1<<30)))
	assert.Equal(t, "héll…", cutText(4, "héllo wörld"))
	assert.Equal(t, "short", cutText(10, "short"))
	assert.Equal(t, "never", ago(time.Time{}))
	assert.Equal(t, "just now", ago(time.Now()))
	assert.Equal(t, "3 minutes ago", ago(time.Now().Add(-3*time.Minute-time.Second)))
	assert.Equal(t, "1 hour ago", ago(time.Now().Add(-61*time.Minute)))
	assert.Equal(t, "3 days ago", ago(time.Now().Add(-73*time.Hour)))
	assert.Equal(t, "Wrong e-mail or password.", sentence("wrong e-mail or password"))
	assert.Equal(t, "Done.", sentence("Done."))
}

func TestTail(t *testing.T) {
	out, omitted := tail("a\nb\nc\n", 100)
	assert.Equal(t, "a\nb\nc\n", out)
	assert.Zero(t, omitted)
	out, omitted = tail("first line\nsecond\nthird\n", 14)
	assert.Equal(t, "second\nthird\n", out, "whole lines from the end")
	assert.Equal(t, float64(len("first line\n")), omitted)
	out, _ = tail(strings.Repeat("<", 5)+"\n"+strings.Repeat("<", 5)+"\n", 24)
	assert.Equal(t, "<<<<<\n", out, "the budget is counted escaped: 5 < take 20 bytes")
	out, _ = tail(strings.Repeat("é", 1000), 60)
	assert.Equal(t, strings.Repeat("é", 5), out, "an overlong line shows its end, on a character boundary")
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, -3: 1, 0.003: 0.005, 1: 1, 1.2: 2, 3: 5, 7: 10, 49: 50, 120: 200} {
		assert.InDelta(t, want, niceCeil(in), 1e-9, "%v", in)
	}
}

func TestCharts(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var pts []metrics.Point
	for i := range 1000 {
		pts = append(pts, metrics.Point{Time: now.Add(time.Duration(i-999) * 10 * time.Second), Requests: float64(i % 10)})
	}
	charts := buildCharts(pts, time.Hour)
	assert.Len(t, charts, len(chartDefs))
	req := charts[0]
	assert.LessOrEqual(t, len(strings.Fields(req.Lines[0].Points)), maxChartPoints, "downsampled")
	for _, p := range strings.Fields(req.Lines[0].Points) {
		assert.False(t, strings.HasPrefix(p, "-"), "no point before the span: %s", p)
	}
	assert.Equal(t, "9.00", req.Lines[0].Peak)
	assert.Equal(t, "10.00", req.Grid[2].Label)
	assert.Contains(t, req.Summary, "over the last 1h")
	assert.Nil(t, buildCharts(nil, time.Hour))
	one := buildCharts(pts[:1], time.Hour)
	assert.Len(t, strings.Fields(one[0].Lines[0].Points), 2, "a single point is drawn as a dash")
}
