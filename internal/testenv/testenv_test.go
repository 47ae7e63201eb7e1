package testenv

import (
	"testing"
)

// recorder is a testing.TB that records how a test ended.
type recorder struct {
	testing.TB
	fatal, skipped string
}

func (r *recorder) Helper()           {}
func (r *recorder) Fatal(args ...any) { r.fatal = args[0].(string) }
func (r *recorder) Skip(args ...any)  { r.skipped = args[0].(string) }
func (r *recorder) Name() string      { return "recorder" }

func TestRequireOrSkip(t *testing.T) {
	for _, tc := range []struct {
		ci        string
		wantFatal bool
	}{
		{"true", true}, {"1", true}, {"TRUE", true},
		{"", false}, {"false", false}, {"0", false}, {"yes-please", false},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			RequireOrSkip(r, "no Docker daemon answers")
			if tc.wantFatal {
				if r.fatal == "" || r.skipped != "" {
					t.Fatalf("under CI=%q the test must fail, not skip: fatal %q, skipped %q", tc.ci, r.fatal, r.skipped)
				}
				if want := "CI=true and a test's requirement is missing: no Docker daemon answers"; r.fatal != want {
					t.Errorf("fatal = %q, want %q", r.fatal, want)
				}
				return
			}
			if r.skipped != "no Docker daemon answers" || r.fatal != "" {
				t.Fatalf("outside CI the test must skip: fatal %q, skipped %q", r.fatal, r.skipped)
			}
		})
	}
}
