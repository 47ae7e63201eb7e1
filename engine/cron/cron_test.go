package cron

import (
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNext(t *testing.T) {
	tests := []struct {
		spec, after string
		want        []string // successive slots, UTC
	}{
		{"*/15 * * * *", "2026-01-01 10:07", []string{"2026-01-01 10:15", "2026-01-01 10:30", "2026-01-01 10:45", "2026-01-01 11:00"}},
		{"0 3 * * *", "2026-01-01 03:00", []string{"2026-01-02 03:00", "2026-01-03 03:00"}},
		{"@hourly", "2026-01-01 10:00", []string{"2026-01-01 11:00"}},
		{"@daily", "2026-01-01 10:00", []string{"2026-01-02 00:00"}},
		{"@weekly", "2026-01-01 10:00", []string{"2026-01-04 00:00", "2026-01-11 00:00"}}, // Sundays
		{"@monthly", "2026-01-31 10:00", []string{"2026-02-01 00:00", "2026-03-01 00:00"}},
		{"@yearly", "2026-06-01 00:00", []string{"2027-01-01 00:00"}},
		{"30 9 * * mon-fri", "2026-01-02 10:00", []string{"2026-01-05 09:30", "2026-01-06 09:30"}}, // Fri -> Mon
		{"0 0 * * 7", "2026-01-01 00:00", []string{"2026-01-04 00:00"}},                            // 7 is Sunday
		{"0 12 1,15 * *", "2026-01-01 12:00", []string{"2026-01-15 12:00", "2026-02-01 12:00"}},
		{"0 0 1-10/3 * *", "2026-01-01 00:00", []string{"2026-01-04 00:00", "2026-01-07 00:00", "2026-01-10 00:00", "2026-02-01 00:00"}},
		{"5/20 * * * *", "2026-01-01 00:00", []string{"2026-01-01 00:05", "2026-01-01 00:25", "2026-01-01 00:45", "2026-01-01 01:05"}},
		{"0 0 1 jan,JUL *", "2026-02-01 00:00", []string{"2026-07-01 00:00", "2027-01-01 00:00"}},
		// Month ends: the 31st only in months that have one.
		{"0 0 31 * *", "2026-01-31 00:00", []string{"2026-03-31 00:00", "2026-05-31 00:00", "2026-07-31 00:00"}},
		// Leap days: 29 February only in leap years.
		{"0 0 29 2 *", "2026-01-01 00:00", []string{"2028-02-29 00:00", "2032-02-29 00:00"}},
		// Both day fields restricted: either matches (13th or a Friday).
		{"0 0 13 * fri", "2026-02-01 00:00", []string{"2026-02-06 00:00", "2026-02-13 00:00", "2026-02-20 00:00"}},
		// Both restricted with a month: Mondays of February and 29 February.
		{"0 0 29 2 mon", "2028-02-27 00:00", []string{"2028-02-28 00:00", "2028-02-29 00:00", "2029-02-05 00:00"}},
		// Seconds of the reference time do not matter.
		{"* * * * *", "2026-01-01 10:07", []string{"2026-01-01 10:08", "2026-01-01 10:09"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"@"+tt.after, func(t *testing.T) {
			s, err := Parse(tt.spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			cur := at(t, tt.after, time.UTC).Add(17 * time.Second)
			for _, w := range tt.want {
				cur = s.Next(cur)
				if got := cur.UTC().Format("2006-01-02 15:04"); got != w {
					t.Fatalf("Next = %s, want %s", got, w)
				}
			}
		})
	}
}

func TestNextInZone(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	ny := zone(t, "America/New_York")
	tests := []struct {
		name, spec string
		loc        *time.Location
		after      string // local
		want       []string
	}{
		{"local time", "0 3 * * *", paris, "2026-01-10 12:00", []string{"2026-01-11 03:00 +0100", "2026-01-12 03:00 +0100"}},
		// 29 March 2026: 02:00 CET jumps to 03:00 CEST. A job at 02:30 runs at the jump, once.
		{"spring forward fixed", "30 2 * * *", paris, "2026-03-28 12:00", []string{"2026-03-29 03:00 +0200", "2026-03-30 02:30 +0200"}},
		// A job at 03:00 runs at 03:00 CEST, once (not also for the skipped 02:xx).
		{"spring forward after gap", "0 3 * * *", paris, "2026-03-28 12:00", []string{"2026-03-29 03:00 +0200", "2026-03-30 03:00 +0200"}},
		// 25 October 2026: 03:00 CEST falls back to 02:00 CET. A job at 02:30 runs once, the first time.
		{"fall back fixed", "30 2 * * *", paris, "2026-10-24 12:00", []string{"2026-10-25 02:30 +0200", "2026-10-26 02:30 +0100"}},
		// Wildcard hours follow real time: the skipped hour has no runs.
		{"spring forward wildcard", "*/30 * * * *", paris, "2026-03-29 01:00", []string{"2026-03-29 01:30 +0100", "2026-03-29 03:00 +0200", "2026-03-29 03:30 +0200"}},
		// and the repeated hour runs twice.
		{"fall back wildcard", "30 * * * *", paris, "2026-10-25 01:00", []string{"2026-10-25 01:30 +0200", "2026-10-25 02:30 +0200", "2026-10-25 02:30 +0100", "2026-10-25 03:30 +0100"}},
		// America/New_York, 8 March 2026: 02:00 EST jumps to 03:00 EDT.
		{"new york spring", "15 2 * * *", ny, "2026-03-07 12:00", []string{"2026-03-08 03:00 -0400", "2026-03-09 02:15 -0400"}},
		{"new york fall", "15 1 * * *", ny, "2026-10-31 12:00", []string{"2026-11-01 01:15 -0400", "2026-11-02 01:15 -0500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.spec, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			cur := at(t, tt.after, tt.loc)
			for _, w := range tt.want {
				cur = s.Next(cur)
				if got := cur.In(tt.loc).Format("2006-01-02 15:04 -0700"); got != w {
					t.Fatalf("Next = %s, want %s", got, w)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty"},
		{"* * * *", "has 4 fields"},
		{"* * * * * *", "seconds are not supported"},
		{"60 * * * *", `minute field "60": "60" must be a number from 0 to 59`},
		{"* 24 * * *", "hour field"},
		{"* * 0 * *", "day-of-month field"},
		{"* * * 13 *", "or a name (jan-dec)"},
		{"* * * * 8", "day-of-week field"},
		{"* * * * funday", "day-of-week field"},
		{"*/0 * * * *", "step \"0\" must be a number from 1 to 59"},
		{"*/x * * * *", "step"},
		{"5-1 * * * *", "runs backwards"},
		{"1,,2 * * * *", "empty item"},
		{"0 0 30 2 *", "never meet"},
		{"0 0 31 4,6 *", "never meet"},
		{"@reboot", "not a known shorthand"},
		{"@every 1s", "not a known shorthand"},
		{"0 3 * * *\x00", "character"},
		{"0 3 * * *\n; rm -rf /", "character"},
		{"0 3 * * é", "character"},
		{strings.Repeat("1,", 200) + "1 * * * *", "limit is 200"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := Parse(tt.spec, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", tt.spec, err, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, spec := range []string{"0 0 29 2 *", "0 0 30 2 mon", " 0  3 * * * ", "@DAILY", "0 0 1 * sun"} {
		if _, err := Parse(spec, nil); err != nil {
			t.Errorf("Parse(%q): %v", spec, err)
		}
	}
}

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"Mars/Olympus", "../../etc/passwd", "Local", strings.Repeat("a", 100)} {
		if _, err := LoadZone(name); err == nil {
			t.Errorf("LoadZone(%q) succeeded", name)
		}
	}
	if loc, err := LoadZone(""); err != nil || loc != time.UTC {
		t.Errorf("LoadZone(\"\") = %v, %v", loc, err)
	}
}

// TestNextFarFuture: leap days skip 2100, which is not a leap year.
func TestNextFarFuture(t *testing.T) {
	s := MustParse("0 0 29 2 *", nil)
	got := s.Next(at(t, "2096-03-01 00:00", time.UTC))
	if want := "2104-02-29"; got.Format("2006-01-02") != want { // 2100 is not a leap year
		t.Fatalf("Next = %v, want %s", got, want)
	}
}
