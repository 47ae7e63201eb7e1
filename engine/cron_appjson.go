package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// AppJSONFile is the file whose "cron" list declares an app's scheduled
// jobs, as Dokku reads it.
const AppJSONFile = "app.json"

// maxAppJSONBytes bounds app.json.
const maxAppJSONBytes = 256 << 10

// appJSONCron is one entry of app.json's "cron" list. Command is a command
// line (see appJSONArgv); the other fields are optional.
type appJSONCron struct {
	Name     string `json:"name"`
	Command  string `json:"command"`
	Schedule string `json:"schedule"`
	TimeZone string `json:"time_zone"`
	Timeout  string `json:"timeout"`
	Overlap  string `json:"overlap"`
}

// readAppJSONCron reads the scheduled jobs app.json in src declares for app:
// none when there is no app.json or it has no "cron" list. A broken file or
// entry is EINVALID naming the entry and saying how to fix it.
func readAppJSONCron(ctx context.Context, app string, src Source) ([]*CronJob, error) {
	if src == nil {
		return nil, nil
	}
	data, err := src.ReadFile(ctx, AppJSONFile)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read app.json: %w", err)
	case len(data) > maxAppJSONBytes:
		return nil, Errorf(EINVALID, "app.json is larger than 256 KiB: shorten it")
	}
	entries, lines, err := decodeAppJSONCron(data)
	switch {
	case ErrorCode(err) == EINVALID:
		return nil, err
	case err != nil:
		return nil, Errorf(EINVALID, "app.json is not valid: %s; fix the file and push again", PlainText(err.Error()))
	}
	return appJSONJobs(app, entries, lines)
}

// decodeAppJSONCron reads the "cron" list of app.json and the line each
// entry starts on; more than MaxCronJobs entries is EINVALID, before any
// entry is read.
func decodeAppJSONCron(data []byte) ([]appJSONCron, []int, error) {
	var doc struct {
		Cron []json.RawMessage `json:"cron"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, nil, fmt.Errorf("line %d: %w", 1+bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n")), err)
		}
		return nil, nil, err
	}
	// Refused before the entries are read: finding each one's line costs a
	// scan of the file, so 85,000 entries of "{}" would take seconds.
	if len(doc.Cron) > MaxCronJobs {
		return nil, nil, Errorf(EINVALID, "app.json declares %d scheduled jobs: the limit is %d", len(doc.Cron), MaxCronJobs)
	}
	entries := make([]appJSONCron, len(doc.Cron))
	lines := make([]int, len(doc.Cron))
	from := 0
	for i, raw := range doc.Cron {
		if err := json.Unmarshal(raw, &entries[i]); err != nil {
			return nil, nil, fmt.Errorf("cron entry %d: %w", i+1, err)
		}
		lines[i], from = lineOf(data, raw, from)
	}
	return entries, lines, nil
}

// lineOf returns the line where raw (a value decoded from data) starts,
// searching from byte from on, and where the search may go on; 0 if not
// found.
func lineOf(data, raw []byte, from int) (int, int) {
	i := bytes.Index(data[from:], raw)
	if i < 0 {
		return 0, from
	}
	at := from + i
	return 1 + bytes.Count(data[:at], []byte("\n")), at + len(raw)
}

// appJSONJobs turns app.json's entries into validated jobs with distinct
// names.
func appJSONJobs(app string, entries []appJSONCron, lines []int) ([]*CronJob, error) {
	jobs := make([]*CronJob, 0, len(entries))
	names := map[string]bool{}
	for i, c := range entries {
		j, err := appJSONJob(app, c, names)
		if err != nil {
			return nil, Errorf(EINVALID, "app.json%s: cron entry %d (%q): %s; fix it and push again", atLine(lines[i]), i+1, PlainText(clip(c.Command, 60)), ErrorMessage(err))
		}
		names[j.Name] = true
		jobs = append(jobs, j)
	}
	return jobs, nil
}

func appJSONJob(app string, c appJSONCron, taken map[string]bool) (*CronJob, error) {
	if strings.TrimSpace(c.Command) == "" {
		return nil, FieldError("command", "it has no command: give one, as in {\"command\": \"bin/report\", \"schedule\": \"0 3 * * *\"}")
	}
	if c.Schedule == "" {
		return nil, FieldError("schedule", "it has no schedule: give one, as in \"0 3 * * *\" or \"@daily\"")
	}
	j := &CronJob{App: app, Name: c.Name, Schedule: c.Schedule, TimeZone: c.TimeZone, Overlap: c.Overlap,
		Command: appJSONArgv(c.Command), Source: CronSourceAppJSON, CreatedBy: "app.json"}
	if j.Name == "" {
		j.Name = jobNameFrom(c.Command, taken)
	} else if taken[j.Name] {
		return nil, FieldError("name", "another entry is named %q too: names must differ", PlainText(j.Name))
	}
	if c.Timeout != "" {
		d, err := time.ParseDuration(c.Timeout)
		if err != nil {
			return nil, FieldError("timeout", "timeout %q is not a duration: write it as 30m or 2h", PlainText(clip(c.Timeout, 20)))
		}
		j.Timeout = d
	}
	return j, validateCronJob(j)
}

// appJSONArgv runs a command line with sh -c when it uses the shell
// (pipes, quotes, variables, globs...) and as plain words otherwise, so
// simple commands also run in images without a shell (FROM scratch).
func appJSONArgv(line string) []string {
	if strings.ContainsAny(line, "|&;<>()$`\\\"'*?[]#~=%{}\n") {
		return []string{"sh", "-c", line}
	}
	return strings.Fields(line)
}

func atLine(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" line %d", n)
}

// jobNameFrom derives a job name from its command ("bin/report --all" is
// bin-report-all), distinct from the names taken.
func jobNameFrom(cmd string, taken map[string]bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(cmd) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if ok {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	base := strings.Trim(b.String(), "-")
	if base == "" {
		base = "job"
	}
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}

// clip shortens s to n bytes for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// saveAppJSONCron replaces app's jobs from app.json with jobs, setting
// their next slots; hand-added jobs stay. It tells out what changed.
func (e *Engine) saveAppJSONCron(ctx context.Context, app string, jobs []*CronJob, out *progress) error {
	now := e.now()
	for _, j := range jobs {
		j.NextRun = e.nextSlot(j, now)
	}
	if err := e.cfg.Store.ReplaceAppJSONCronJobs(ctx, app, jobs); err != nil {
		return err
	}
	if len(jobs) > 0 {
		names := make([]string, len(jobs))
		for i, j := range jobs {
			names[i] = j.Name
		}
		out.Step("Scheduled jobs from app.json: %s", strings.Join(names, ", "))
	}
	return nil
}

// prepareAppJSONCron reads app.json's jobs at a push of app and checks them
// against the app's hand-added jobs (names, the cap) before anything is
// built. Previews get no scheduled jobs.
func (e *Engine) prepareAppJSONCron(ctx context.Context, app string, src Source) ([]*CronJob, error) {
	if isPreviewApp(app) {
		return nil, nil
	}
	jobs, err := readAppJSONCron(ctx, app, src)
	if err != nil || len(jobs) == 0 {
		return jobs, err
	}
	have, err := e.cfg.Store.ListCronJobs(ctx, app)
	if err != nil {
		return nil, err
	}
	manual := 0
	for _, h := range have {
		if h.Source != CronSourceManual {
			continue
		}
		manual++
		for _, j := range jobs {
			if j.Name == h.Name {
				return nil, Errorf(EINVALID, "app.json: the cron entry named %q has the name of a job added by hand: rename the entry, or remove the other job (quayside cron remove %s %s)", j.Name, app, j.Name)
			}
		}
	}
	if manual+len(jobs) > MaxCronJobs {
		return nil, Errorf(EINVALID, "app.json declares %d scheduled jobs and %d were added by hand: the limit is %d in all", len(jobs), manual, MaxCronJobs)
	}
	return jobs, nil
}
