package main

import (
	"fmt"
	"io"
	"os"

	"github.com/quayside/quayside/ui/api"
)

type logsCmd struct {
	App     string `arg:"" help:"App name."`
	Follow  bool   `short:"f" help:"Keep printing new lines as they come."`
	N       int    `short:"n" default:"100" help:"How many of the last lines to print (0 to 100000)."`
	Since   string `help:"Only lines since then: a duration such as 10m or 2h, or a time such as 2025-01-02T15:04:05Z."`
	Process string `short:"p" help:"Only lines of one process type, such as web or worker."`
}

func (c *logsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	p := api.LogParams{N: c.N, Since: c.Since, Process: c.Process}
	pr := newLogPrinter(os.Stdout, c.App)
	if !c.Follow {
		lines, err := cl.Logs(g.ctx, c.App, p)
		if err != nil {
			return err
		}
		for _, l := range lines {
			pr.line(l)
		}
		return nil
	}
	return cl.FollowLogs(g.ctx, c.App, p, pr.event)
}

// logPrinter prints log lines Heroku-style: "time app[web.1]: text".
type logPrinter struct {
	w      io.Writer
	app    string
	colour bool // keep plain colours
}

func newLogPrinter(f *os.File, app string) *logPrinter {
	return &logPrinter{w: f, app: app, colour: colours(f)}
}

func (p *logPrinter) event(ev api.LogEvent) {
	switch ev.Type {
	case "missed":
		fmt.Fprintf(p.w, "[... %d lines skipped: this terminal could not keep up ...]\n", ev.Missed)
	case "line":
		if ev.Missed > 0 {
			fmt.Fprintf(p.w, "[... %d lines skipped: this terminal could not keep up ...]\n", ev.Missed)
		}
		p.line(*ev.Line)
	}
}

func (p *logPrinter) line(l api.LogLine) {
	src := l.Process
	if l.Replica > 0 {
		src = fmt.Sprintf("%s.%d", l.Process, l.Replica)
	}
	fmt.Fprintf(p.w, "%s %s[%s]: %s\n", l.Time.Local().Format("2006-01-02T15:04:05.000"), p.app, cellText(src), p.clean(l.Text))
}

// clean makes a log line safe to print: engine.CleanText keeps plain
// colours when p.colour; elsewhere they go too.
func (p *logPrinter) clean(s string) string { return safeFor(s, p.colour) }
