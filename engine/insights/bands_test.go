package insights

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultBands(t *testing.T) {
	d := DefaultThresholds()
	cases := []struct {
		got, want string
	}{
		{d.FrequencyBand(3), BandElite},
		{d.FrequencyBand(1), BandElite},
		{d.FrequencyBand(0.5), BandHigh},
		{d.FrequencyBand(1.0 / 7), BandHigh},
		{d.FrequencyBand(0.1), BandMedium},
		{d.FrequencyBand(0.01), BandLow},
		{durationBand(23*time.Hour, d.LeadTime), BandElite},
		{durationBand(Day, d.LeadTime), BandHigh},
		{durationBand(8*Day, d.LeadTime), BandMedium},
		{durationBand(30*Day, d.LeadTime), BandLow},
		{d.ChangeFailureBand(0.05), BandElite},
		{d.ChangeFailureBand(0.06), BandHigh},
		{d.ChangeFailureBand(0.15), BandMedium},
		{d.ChangeFailureBand(0.64), BandLow},
		{durationBand(59*time.Minute, d.Recovery), BandElite},
		{durationBand(2*time.Hour, d.Recovery), BandHigh},
		{durationBand(2*Day, d.Recovery), BandMedium},
		{durationBand(30*Day, d.Recovery), BandLow},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: band %s, want %s", i, c.got, c.want)
		}
	}
}

func TestParseThresholds(t *testing.T) {
	got, err := ParseThresholds("lead_time=2h,2d,14d; change_failure=10,20,30")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultThresholds()
	want.LeadTime = [3]time.Duration{2 * time.Hour, 2 * Day, 14 * Day}
	want.ChangeFailure = [3]float64{0.1, 0.2, 0.3}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if d, err := ParseThresholds(""); err != nil || d != DefaultThresholds() {
		t.Errorf("empty = %+v, %v", d, err)
	}
	for _, bad := range []string{"lead_time=1d", "speed=1,2,3", "lead_time=7d,1d,30d", "frequency=0.1,1,2", "recovery=1h,-1h,2h", "change_failure=x,1,2", "lead_time=99999d,1d,2d"} {
		if _, err := ParseThresholds(bad); err == nil || !strings.Contains(err.Error(), "insights bands") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}
