package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/ui/api"
)

// arrival is one pumped line as a follower got it.
type arrival struct {
	seq    int
	wrote  time.Time // the pump's clock just before it wrote the line
	logged time.Time // Docker's time stamp (zero from the direct Docker reader)
	got    time.Time // when the follower had it
}

// pumpResult is what one follower saw of one run.
type pumpResult struct {
	arrivals []arrival
	missed   int // lines the daemon said the follower skipped
}

// readWS reads a logs WebSocket until it gets line n of run, or nothing
// comes for followIdle.
func readWS(conn *websocket.Conn, run string, n int) pumpResult {
	var r pumpResult
	r.arrivals = make([]arrival, 0, n)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(followIdle))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return r
		}
		got := time.Now()
		text, logged, missed := parseEvent(msg)
		r.missed += missed
		if seq, wrote, ok := parsePump(text, run); ok {
			r.arrivals = append(r.arrivals, arrival{seq: seq, wrote: wrote, logged: logged, got: got})
			if seq == n {
				return r
			}
		}
	}
}

// parseEvent takes the text, time and missed count out of an api.LogEvent
// message without a full JSON decode, so 100 readers cost the test little.
// Pumped text needs no JSON escaping.
func parseEvent(msg []byte) (text string, logged time.Time, missed int) {
	if v, ok := jsonField(msg, `"missed":`, ','); ok {
		missed, _ = strconv.Atoi(strings.TrimRight(v, "}\n"))
	}
	if v, ok := jsonField(msg, `"time":"`, '"'); ok {
		logged, _ = time.Parse(time.RFC3339Nano, v)
	}
	text, _ = jsonField(msg, `"text":"`, '"')
	return text, logged, missed
}

// jsonField returns what follows key up to end (or the message's end).
func jsonField(msg []byte, key string, end byte) (string, bool) {
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return "", false
	}
	v := msg[i+len(key):]
	if j := bytes.IndexByte(v, end); j >= 0 {
		v = v[:j]
	}
	return string(v), true
}

// parsePump reads "pump RUN SEQ NANOS ...".
func parsePump(text, run string) (int, time.Time, bool) {
	f := strings.Fields(text)
	if len(f) < 4 || f[0] != "pump" || f[1] != run {
		return 0, time.Time{}, false
	}
	seq, err1 := strconv.Atoi(f[2])
	nanos, err2 := strconv.ParseInt(f[3], 10, 64)
	return seq, time.Unix(0, nanos), err1 == nil && err2 == nil
}

// pumpStats are the figures of one run as one follower saw it.
type pumpStats struct {
	sent, got, missed int     // lines printed; distinct lines received; counted as skipped
	dups, lost        int     // lines received again; lines neither received nor counted
	rate, wroteRate   float64 // lines/s delivered; lines/s the pump wrote
	p50, p99, max     time.Duration
	capP50, capP99    time.Duration // write to Docker's time stamp
	cpu               float64       // the daemon's CPU in % of one core
}

// stats computes the figures of r for a run of sent lines.
func (r pumpResult) stats(sent int) pumpStats {
	a := r.arrivals
	st := pumpStats{sent: sent, missed: r.missed}
	st.got, st.dups = distinct(a, sent)
	st.lost = max(0, sent-st.got-st.missed)
	if len(a) < 2 {
		return st
	}
	var delays, capture []time.Duration
	for _, x := range a {
		delays = append(delays, x.got.Sub(x.wrote))
		if !x.logged.IsZero() {
			capture = append(capture, x.logged.Sub(x.wrote))
		}
	}
	first, last := a[0], a[len(a)-1]
	st.rate = float64(st.got) / last.got.Sub(first.wrote).Seconds()
	st.wroteRate = float64(last.seq-first.seq) / last.wrote.Sub(first.wrote).Seconds()
	st.p50, st.p99, st.max = pct(delays, 50), pct(delays, 99), pct(delays, 100)
	st.capP50, st.capP99 = pct(capture, 50), pct(capture, 99)
	return st
}

// distinct counts the distinct lines of a run of sent lines, and the
// lines received more than once.
func distinct(a []arrival, sent int) (got, dups int) {
	seen := make([]bool, sent+1)
	for _, x := range a {
		switch {
		case x.seq < 1 || x.seq > sent:
		case seen[x.seq]:
			dups++
		default:
			seen[x.seq], got = true, got+1
		}
	}
	return got, dups
}

// repeats describes where lines came again: ranges of Seq, with the time
// the first of each range arrived.
func repeats(a []arrival) string {
	seen := map[int]bool{}
	var out []string
	start, prev := 0, 0
	for _, x := range a {
		if !seen[x.seq] {
			seen[x.seq] = true
			continue
		}
		if start != 0 && x.seq == prev+1 {
			prev = x.seq
			continue
		}
		if start != 0 {
			out[len(out)-1] += fmt.Sprintf("-%d", prev)
		}
		start, prev = x.seq, x.seq
		out = append(out, fmt.Sprintf("at %s seq %d", x.got.Format("15:04:05.000"), x.seq))
	}
	if start != 0 {
		out[len(out)-1] += fmt.Sprintf("-%d", prev)
	}
	return strings.Join(out, ", ")
}

// holes lists the ranges of Seq from from to sent that never came.
func holes(a []arrival, from, sent int) string {
	seen := make([]bool, sent+2)
	seen[sent+1] = true
	for _, x := range a {
		if x.seq >= 1 && x.seq <= sent {
			seen[x.seq] = true
		}
	}
	var out []string
	for i := from; i <= sent; i++ {
		if !seen[i] {
			j := i
			for !seen[j+1] {
				j++
			}
			out = append(out, fmt.Sprintf("%d-%d", i, j))
			i = j
		}
	}
	return strings.Join(out, ", ")
}

// describe logs where a follower got lines twice or not at all.
func describe(t *testing.T, who string, r pumpResult, sent int) {
	t.Logf("%s: again: [%s]; never: [%s]", who, repeats(r.arrivals), holes(r.arrivals, 1, sent))
}

// describeStored logs where the stored history of a run has lines twice
// or not at all, from the oldest line of the run it still returns.
func describeStored(t *testing.T, r pumpResult, run string, sent int) {
	from := sent + 1
	for _, x := range r.arrivals {
		from = min(from, x.seq)
	}
	t.Logf("%s stored (from seq %d): again: [%s]; never: [%s]", run, from, repeats(r.arrivals), holes(r.arrivals, from, sent))
}

// pct returns the p-th percentile of ds (0 when empty).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)*p/100, len(s)-1)]
}

// medianStats takes the median of each figure over runs.
func medianStats(runs []pumpStats) pumpStats {
	pick := func(f func(pumpStats) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	d := func(f func(pumpStats) time.Duration) time.Duration {
		return time.Duration(pick(func(r pumpStats) float64 { return float64(f(r)) }))
	}
	return pumpStats{
		sent: runs[0].sent, got: int(pick(func(r pumpStats) float64 { return float64(r.got) })),
		dups:   int(pick(func(r pumpStats) float64 { return float64(r.dups) })),
		lost:   int(pick(func(r pumpStats) float64 { return float64(r.lost) })),
		missed: int(pick(func(r pumpStats) float64 { return float64(r.missed) })),
		rate:   pick(func(r pumpStats) float64 { return r.rate }), wroteRate: pick(func(r pumpStats) float64 { return r.wroteRate }),
		p50: d(func(r pumpStats) time.Duration { return r.p50 }), p99: d(func(r pumpStats) time.Duration { return r.p99 }),
		max: d(func(r pumpStats) time.Duration { return r.max }), capP50: d(func(r pumpStats) time.Duration { return r.capP50 }),
		capP99: d(func(r pumpStats) time.Duration { return r.capP99 }), cpu: pick(func(r pumpStats) float64 { return r.cpu }),
	}
}

// TestParseEvent checks the benchmark's light parser against events as the
// daemon writes them (encoding/json, a newline after each).
func TestParseEvent(t *testing.T) {
	when := time.Date(2025, 3, 4, 5, 6, 7, 890123456, time.UTC)
	line := &api.LogLine{Seq: 7, Time: when, Process: "web", Stream: "stdout", Text: "pump r1 42 1741064767000000000 xx"}
	for _, tc := range []struct {
		name       string
		ev         api.LogEvent
		text       string
		missed     int
		wantLogged bool
	}{
		{"line", api.LogEvent{Type: "line", Line: line}, line.Text, 0, true},
		{"line after skipped ones", api.LogEvent{Type: "line", Line: line, Missed: 1234}, line.Text, 1234, true},
		{"skipped only", api.LogEvent{Type: "missed", Missed: 5}, "", 5, false},
		{"heartbeat", api.LogEvent{Type: "heartbeat"}, "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, json.NewEncoder(&b).Encode(tc.ev))
			text, logged, missed := parseEvent(b.Bytes())
			assert.Equal(t, tc.text, text)
			assert.Equal(t, tc.missed, missed)
			assert.Equal(t, tc.wantLogged, logged.Equal(when))
		})
	}
	seq, wrote, ok := parsePump(line.Text, "r1")
	assert.True(t, ok)
	assert.Equal(t, 42, seq)
	assert.Equal(t, int64(1741064767000000000), wrote.UnixNano())
	_, _, ok = parsePump(line.Text, "r2")
	assert.False(t, ok, "another run's line")
}
