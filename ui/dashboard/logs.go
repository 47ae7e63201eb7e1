package dashboard

import (
	"context"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
)

// Log page limits: the page shows at most maxLogLines lines of at most
// maxLogLineChars characters, and at most maxLogBytes of text in all, so
// that it stays light whatever the app prints.
const (
	defaultLogLines = 200
	maxLogLines     = 500
	maxLogLineChars = 2000
	maxLogBytes     = 120 << 10
	// searchScan is how many recent lines a search looks through.
	searchScan = 5000
)

// platformProcesses write to an app's log besides its own process types.
var platformProcesses = []string{"platform", engine.ProcessBuild, engine.ProcessRelease, "run"}

// logsData is the logs page's Data.
type logsData struct {
	Lines     []logLine
	Processes []string
	Process   string
	Search    string
	N, MaxN   int
	// Omitted counts matching lines left out to keep the page light.
	Omitted int
}

// logLine is one log line as the page shows it.
type logLine struct {
	Time, Process, Class, Text string
}

func (d *Dashboard) logsPage(c echo.Context, v *view) error {
	app, err := d.loadApp(c, v, "logs")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	data := logsData{Process: c.QueryParam("process"), Search: cutText(200, c.QueryParam("q")), MaxN: maxLogLines}
	data.N = logCount(c.QueryParam("n"))
	if data.Processes, err = d.logProcesses(ctx, app); err != nil {
		return err
	}
	lines, err := d.logLines(ctx, app.Name, data)
	status := http.StatusOK
	switch engine.ErrorCode(err) {
	case "":
	case engine.EINVALID:
		v.showError(err, "process")
		status = http.StatusBadRequest
	case engine.ENOTIMPLEMENTED:
		v.Error = sentence(engine.ErrorMessage(err))
	default:
		return err
	}
	data.Lines, data.Omitted = showLines(lines)
	v.Title, v.Data = app.Name+" logs", data
	return d.render(c, status, "logs", v)
}

// logCount reads the ?n= of the logs page, within its limits.
func logCount(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return defaultLogLines
	}
	return min(n, maxLogLines)
}

// logProcesses lists what the process filter offers: the current
// release's process types, then the platform's.
func (d *Dashboard) logProcesses(ctx context.Context, app *engine.App) ([]string, error) {
	rel, err := d.currentRelease(ctx, app)
	if err != nil {
		return nil, err
	}
	return append(processTypes(rel), platformProcesses...), nil
}

// logLines reads the lines the page asks for: the last N of the process,
// or, with a search, the last N of those among the recent ones that match.
func (d *Dashboard) logLines(ctx context.Context, app string, data logsData) ([]engine.LogLine, error) {
	q := engine.LogQuery{App: app, Process: data.Process, Tail: data.N}
	if data.Search == "" {
		return d.cfg.Engine.Logs(ctx, q)
	}
	q.Tail = searchScan
	lines, err := d.cfg.Engine.Logs(ctx, q)
	if err != nil {
		return nil, err
	}
	needle := strings.ToLower(data.Search)
	lines = slices.DeleteFunc(lines, func(l engine.LogLine) bool {
		return !strings.Contains(strings.ToLower(l.Text), needle)
	})
	return lines[max(0, len(lines)-data.N):], nil
}

// showLines turns the newest lines, within maxLogBytes once escaped, into
// page lines, and says how many older ones it left out.
func showLines(lines []engine.LogLine) ([]logLine, int) {
	budget, first := maxLogBytes, len(lines)
	var out []logLine
	for first > 0 {
		l := pageLine(lines[first-1])
		budget -= len(template.HTMLEscapeString(l.Text)) + len(l.Process) + 70
		if budget < 0 {
			break
		}
		out = append(out, l)
		first--
	}
	slices.Reverse(out)
	return out, first
}

// pageLine formats one line; the text stays text (the template escapes it).
func pageLine(l engine.LogLine) logLine {
	proc := l.Process
	if l.Replica > 0 {
		proc += "." + strconv.Itoa(l.Replica)
	}
	text := cutText(maxLogLineChars, l.Text)
	return logLine{Time: l.Time.UTC().Format("2006-01-02 15:04:05"), Process: proc, Class: lineClass(l.Stream, text), Text: text}
}

// errorWords mark a line as an error. dashboard.js holds the same list.
var errorWords = regexp.MustCompile(`(?i)\b(error|exception|traceback|fatal|panic|failed|failure|critical)\b`)

// lineClass is how a line is painted: "pl" for the platform's, "e" (as
// an error) for a line on stderr that reads like one, "se" for the rest of
// stderr (many servers write their access log there) and "x" for stdout.
func lineClass(stream, text string) string {
	switch stream {
	case engine.StreamPlatform:
		return "pl"
	case engine.StreamStderr:
		if errorWords.MatchString(text) {
			return "e"
		}
		return "se"
	}
	return "x"
}
