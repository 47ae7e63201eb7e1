package main

import (
	"fmt"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
)

type insightsCmd struct {
	App   string `arg:"" optional:"" help:"App name; all the apps you may see when left out."`
	Since string `default:"30d" help:"How far back: a number of days (7d, 30d, 90d) or hours (36h), up to 365d."`
	JSON  bool   `help:"Print JSON: the figures, the previous period's, the trend and a series per day (per week over 31 days)."`
}

func (c *insightsCmd) Run(g *globals) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	rep, err := cl.Insights(g.ctx, c.App, c.Since)
	if err != nil {
		return err
	}
	if c.JSON {
		return printJSON(rep)
	}
	printInsights(rep, c.Since)
	return nil
}

// printInsights writes the team's four figures with their bands and trend,
// then one line per app.
func printInsights(rep *engine.TeamInsights, since string) {
	cur := rep.Team.Current
	what := fmt.Sprintf("%d apps", len(rep.Apps))
	if len(rep.Apps) == 1 {
		what = rep.Apps[0]
	}
	fmt.Printf("Delivery figures of %s over the last %s (%s to %s UTC), production releases only.\n\n",
		what, since, cur.From.UTC().Format("2006-01-02 15:04"), cur.To.UTC().Format("2006-01-02 15:04"))
	w := table("FIGURE", "VALUE", "BAND", "TREND")
	row(w, "Deployment frequency", frequencyText(cur.Frequency), cur.Frequency.Band, rep.Team.Trend.Frequency)
	row(w, "Lead time for changes", leadText(cur.LeadTime), cur.LeadTime.Band, rep.Team.Trend.LeadTime)
	row(w, "Change failure rate", failureText(cur.Failure), cur.Failure.Band, rep.Team.Trend.ChangeFailure)
	row(w, "Time to restore", recoveryText(cur.Recovery), cur.Recovery.Band, rep.Team.Trend.Recovery)
	_ = w.Flush()
	if len(rep.PerApp) < 2 {
		return
	}
	fmt.Println()
	w = table("APP", "DEPLOYS", "LEAD TIME", "FAILURE RATE", "RESTORE")
	for _, a := range rep.PerApp {
		s, f := insights.Summarize(a.Report.Current), a.Report.Current
		row(w, a.App, s.Frequency+" "+f.Frequency.Band, s.LeadTime+" "+f.LeadTime.Band,
			s.ChangeFailure+" "+f.Failure.Band, s.Recovery+" "+f.Recovery.Band)
	}
	_ = w.Flush()
}

func frequencyText(f insights.Frequency) string {
	return fmt.Sprintf("%d deploys (%d pushes, %d config, %d rollbacks): %.2f/day, %.1f/week, %.1f deploy days/week",
		f.Deploys, f.Pushes, f.Config, f.Rollbacks, f.PerDay, f.PerWeek, f.DeployDaysPerWeek)
}

func leadText(l insights.LeadTime) string {
	if l.Commits == 0 {
		return "no commits reached production"
	}
	s := fmt.Sprintf("median %s, p90 %s over %d commits (by author date: median %s)",
		insights.FormatDuration(l.Median.Duration()), insights.FormatDuration(l.P90.Duration()), l.Commits,
		insights.FormatDuration(l.AuthorMedian.Duration()))
	if l.Skewed > 0 {
		s += fmt.Sprintf("; %d dated after their release (clock skew), counted as 0", l.Skewed)
	}
	return s
}

func failureText(c insights.ChangeFailure) string {
	if c.Changes == 0 {
		return "no changes"
	}
	return fmt.Sprintf("%.1f%%: %d of %d changes (%d before going live, %d after)",
		c.Rate*100, c.Failed, c.Changes, c.BeforeLive, c.AfterLive)
}

func recoveryText(r insights.Recovery) string {
	if r.Failures == 0 {
		return "no failures after going live"
	}
	s := fmt.Sprintf("%d failures, %d recovered", r.Failures, r.Recovered)
	if r.Recovered > 0 {
		s = fmt.Sprintf("median %s, p90 %s (%s)", insights.FormatDuration(r.Median.Duration()), insights.FormatDuration(r.P90.Duration()), s)
	}
	if r.Open > 0 {
		s += fmt.Sprintf(", %d not yet", r.Open)
	}
	return s
}
