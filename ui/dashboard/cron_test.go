package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCronOnTheAppPage(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	ctx := context.Background()
	_, err := r.eng.AddCronJob(ctx, engine.CronJob{App: "shop", Name: "report", Schedule: "0 3 * * *", TimeZone: "Europe/Paris",
		Command: []string{"bin/report", "<script>alert(1)</script>"}})
	require.NoError(t, err)
	dev, vic, out := r.signIn(developer), r.signIn(viewer), r.signIn(outsider)

	t.Run("developers see the jobs with a Run now button", func(t *testing.T) {
		p := dev.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `id="cron"`)
		assert.Contains(t, p.body, "0 3 * * *")
		assert.Contains(t, p.body, "Europe/Paris")
		assert.Contains(t, p.body, "not run yet")
		assert.Regexp(t, `<time datetime="[0-9T:-]+Z">[0-9]{4}-[0-9]{2}-[0-9]{2} 02:00`, p.body, "the next run, 03:00 in Paris")
		assert.Contains(t, p.body, `action="/apps/shop/cron/run"`)
		assert.NotContains(t, p.body, "<script>alert(1)", "commands are escaped")
	})
	t.Run("viewers see them without the button and cannot run", func(t *testing.T) {
		p := vic.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `id="cron"`)
		assert.NotContains(t, p.body, "/cron/run")
		p = vic.submit("/apps/shop/cron/run", url.Values{"job": {"report"}})
		assert.Equal(t, http.StatusForbidden, p.status)
	})
	t.Run("others cannot run it", func(t *testing.T) {
		p := out.submit("/apps/shop/cron/run", url.Values{"job": {"report"}})
		assert.Equal(t, http.StatusNotFound, p.status)
	})
	t.Run("Run now starts a run", func(t *testing.T) {
		p := dev.submit("/apps/shop/cron/run", url.Values{"job": {"report"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/shop?done=cron-started", p.header.Get("Location"))
		require.Eventually(t, func() bool {
			runs, err := r.eng.CronHistory(ctx, "shop", "report", 1)
			return err == nil && len(runs) == 1 && runs[0].Status == engine.CronSucceeded
		}, 10e9, 10e6)
		p = dev.get("/apps/shop")
		assert.Contains(t, p.body, "s-succeeded", "the last result shows")
		assert.Contains(t, p.body, "(manual by dev@example.com)")
	})
}
