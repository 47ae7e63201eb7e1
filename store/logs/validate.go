package logs

import (
	"regexp"
	"time"

	"github.com/quayside/quayside/engine"
)

// MaxTail is the largest LogQuery.Tail a query may ask for.
const MaxTail = 100_000

// MaxSinceSkew is how far in the future LogQuery.Since may lie, to allow
// for clocks that disagree a little.
const MaxSinceSkew = time.Minute

// processRe matches process types as the runtime labels them, and the
// scheduled jobs' cron.<job> (a job name is up to 40 characters).
var processRe = regexp.MustCompile(`^([a-z0-9][a-z0-9_-]{0,29}|cron\.[a-z0-9][a-z0-9-]{0,39})$`)

// validApp reports whether name may be an app's directory: a plain DNS
// label that starts with a letter, as every app name is. Nothing else ever
// names a directory.
func validApp(name string) error {
	if !isLabel(name) {
		return engine.FieldError("app", "app name %q is not valid: use lowercase letters, digits and hyphens, starting with a letter", name)
	}
	return nil
}

// isLabel matches ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$ without a regexp, as
// Append checks every line.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// validateQuery reports the first field of q that is out of range.
func (s *Store) validateQuery(q engine.LogQuery) error {
	if err := validApp(q.App); err != nil {
		return err
	}
	if q.Tail < 0 || q.Tail > MaxTail {
		return engine.FieldError("tail", "cannot show %d lines: ask for 1 to %d lines, or 0 for all", q.Tail, MaxTail)
	}
	if !q.Since.IsZero() {
		if q.Since.Year() < 1970 {
			return engine.FieldError("since", "since %s is before 1970: ask for a later time, such as 10m ago", q.Since.Format(time.RFC3339))
		}
		if q.Since.After(s.opts.Now().Add(MaxSinceSkew)) {
			return engine.FieldError("since", "since %s is in the future: ask for a time in the past, such as 10m ago", q.Since.Format(time.RFC3339))
		}
	}
	if q.Process != "" && !processRe.MatchString(q.Process) {
		return engine.FieldError("process", "process type %q is not valid: use up to 30 lowercase letters, digits, hyphens and underscores, such as web or worker, or cron.JOB for a scheduled job", q.Process)
	}
	return nil
}
