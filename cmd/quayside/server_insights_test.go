package main

import (
	"strings"
	"testing"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/insights"
)

func TestInsightsSettings(t *testing.T) {
	c := serverCmd{InsightsBands: "lead_time=2h,2d,14d", InsightsWindow: 12 * time.Hour}
	s, err := c.insightsSettings()
	if err != nil {
		t.Fatal(err)
	}
	if s.FailureWindow != 12*time.Hour || s.Thresholds.LeadTime[0] != 2*time.Hour || s.Thresholds.Recovery != insights.DefaultThresholds().Recovery {
		t.Errorf("settings = %+v", s)
	}
	for _, bad := range []serverCmd{
		{InsightsBands: "lead_time=1d", InsightsWindow: time.Hour},
		{InsightsWindow: 0},
		{InsightsWindow: 31 * 24 * time.Hour},
	} {
		_, err := bad.insightsSettings()
		if engine.ErrorCode(err) != engine.EINVALID || !strings.Contains(engine.ErrorMessage(err), "--insights-") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
