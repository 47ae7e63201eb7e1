package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commitAt commits every change in dir with the given committer and author
// dates.
func commitAt(t *testing.T, dir, msg string, committed, authored time.Time) {
	t.Helper()
	gitIn(t, dir, "add", "-A")
	cmd := exec.Command("git", "-c", "user.name=Tester", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", msg)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "GIT_COMMITTER_DATE="+committed.Format(time.RFC3339), "GIT_AUTHOR_DATE="+authored.Format(time.RFC3339))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

// insightsJSON is the part of `quayside insights --json` the test checks.
type insightsJSON struct {
	Apps []string `json:"apps"`
	Team struct {
		Current struct {
			Frequency struct {
				Deploys, Pushes, Config, Rollbacks int
			} `json:"deployment_frequency"`
			LeadTime struct {
				Commits int   `json:"commits"`
				Median  int64 `json:"median_seconds"`
				P90     int64 `json:"p90_seconds"`
				Author  int64 `json:"author_median_seconds"`
			} `json:"lead_time"`
			Failure struct {
				Changes    int     `json:"changes"`
				Failed     int     `json:"failed"`
				BeforeLive int     `json:"failed_before_live"`
				AfterLive  int     `json:"failed_after_live"`
				Rate       float64 `json:"rate"`
			} `json:"change_failure"`
			Recovery struct {
				Failures  int   `json:"failures"`
				Recovered int   `json:"recovered"`
				Median    int64 `json:"median_seconds"`
			} `json:"recovery"`
		} `json:"current"`
	} `json:"team"`
}

// TestInsightsAndCatalog pushes commits with set dates, a catalog file with
// a broken field, a release that fails its health check and a rollback, and
// checks the figures `quayside insights --json` reports and the catalog.
func TestInsightsAndCatalog(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "one")
	now := time.Now().UTC().Truncate(time.Second)
	// v1: a first deploy counts its pushed commit alone, committed 2h ago.
	commitAt(t, repo, "two hours", now.Add(-2*time.Hour), now.Add(-3*time.Hour))
	s.mustPush(repo, "shop")

	// v2: two commits, 1h and 30m old, and a catalog file whose owner is a list.
	writeFile(t, repo, "message.txt", "two")
	commitAt(t, repo, "one hour", now.Add(-time.Hour), now.Add(-time.Hour))
	writeFile(t, repo, "catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\n  description: The shop\nspec:\n  owner: [team-a, team-b]\n  lifecycle: production\n")
	commitAt(t, repo, "half an hour", now.Add(-30*time.Minute), now.Add(-30*time.Minute))
	out := s.mustPush(repo, "shop")
	assert.Contains(t, out, "Warning: catalog-info.yaml was not read", "a broken catalog file warns")
	assert.Contains(t, out, "line 7")
	assert.Equal(t, "two", s.body("shop", "/"), "and the deploy goes on")

	// A release that fails its health check: rejected before going live.
	s.mustCLI("checks", "set", "shop", "--timeout", "3s")
	writeFile(t, repo, "Dockerfile", "FROM scratch\nCOPY sampleapp /sampleapp\nCOPY message.txt /message.txt\nENV UNHEALTHY=1\nCMD [\"/sampleapp\"]\n")
	commitAt(t, repo, "unhealthy", now.Add(-10*time.Minute), now.Add(-10*time.Minute))
	_, err := s.push(repo, "shop")
	require.Error(t, err)
	gitIn(t, repo, "reset", "-q", "--hard", "HEAD~1")

	// v2 turns out bad: roll back to v1.
	s.mustCLI("rollback", "shop")
	assert.Equal(t, "one", s.body("shop", "/"))

	var got insightsJSON
	require.NoError(t, json.Unmarshal([]byte(s.mustCLI("insights", "shop", "--since", "7d", "--json")), &got))
	cur := got.Team.Current
	assert.Equal(t, []string{"shop"}, got.Apps)
	assert.Equal(t, 3, cur.Frequency.Deploys, "v1, v2 and the rollback went live")
	assert.Equal(t, 2, cur.Frequency.Pushes)
	assert.Equal(t, 1, cur.Frequency.Rollbacks)
	// A config-free history: the checks change is a setting, not a release.
	assert.Equal(t, 3, cur.Failure.Changes, "v1, v2 and the unhealthy push")
	assert.Equal(t, 1, cur.Failure.BeforeLive, "the unhealthy push")
	assert.Equal(t, 1, cur.Failure.AfterLive, "v2 was rolled back")
	assert.InDelta(t, 2.0/3, cur.Failure.Rate, 1e-9)
	assert.Equal(t, 1, cur.Recovery.Recovered)
	assert.Less(t, cur.Recovery.Median, int64(60), "the rollback served within a minute")

	// Lead times: v1's commit about 2h, v2's about 1h and 30m; the
	// unhealthy commit never went live. Deploys here take seconds.
	elapsed := int64(time.Since(now).Seconds()) + 1
	assert.Equal(t, 3, cur.LeadTime.Commits)
	assert.GreaterOrEqual(t, cur.LeadTime.Median, int64(3600))
	assert.LessOrEqual(t, cur.LeadTime.Median, 3600+elapsed)
	assert.GreaterOrEqual(t, cur.LeadTime.P90, int64(7200))
	assert.LessOrEqual(t, cur.LeadTime.P90, 7200+elapsed)
	assert.GreaterOrEqual(t, cur.LeadTime.Author, int64(3600), "the author dates give the same median here")

	// The catalog: the broken file is reported; fields set by hand show.
	cat := s.mustCLI("catalog", "--json")
	assert.Contains(t, cat, "line 7")
	s.mustCLI("catalog", "set", "shop", "owner=team-payments", "lifecycle=production", "tags=web")
	var items []struct {
		App, Owner, Lifecycle, Health string
		CurrentRelease                int `json:"current_release"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.mustCLI("catalog", "--json", "--tag", "web")), &items))
	require.Len(t, items, 1)
	assert.Equal(t, "team-payments", items[0].Owner)
	assert.Equal(t, "healthy", items[0].Health)
	assert.Equal(t, 4, items[0].CurrentRelease, "the rollback is v4 (v3 failed)")
	backstage := s.mustCLI("catalog", "--backstage")
	assert.Contains(t, backstage, "kind: Component")
	assert.Contains(t, backstage, "owner: team-payments")
	text := s.mustCLI("insights")
	assert.True(t, strings.Contains(text, "Lead time for changes") && strings.Contains(text, "66.7%"), text)

	t.Run("the pages in a browser", func(t *testing.T) {
		s.addUser("admin@example.test", "admin", "admin password 1")
		b := newBrowser(t, s.controlURL(), artifactDir(t))
		b.signIn("admin@example.test", "admin password 1")
		b.open("/insights?app=shop&since=7d")
		assert.Contains(t, b.text("#figures"), "66.7%")
		assert.Equal(t, 4, eval[int](b, `document.querySelectorAll("figure.chart svg").length`))
		b.shot("10-insights")
		b.open("/catalog")
		assert.Contains(t, b.text("#catalog"), "team-payments")
		assert.Contains(t, b.text("#catalog"), "healthy")
		b.shot("11-catalog")
	})
}
