package dashboard

import (
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quayside/quayside/engine"
)

// funcs are the helpers templates may call. None of them returns trusted
// HTML: everything they produce is escaped like any other text.
var funcs = template.FuncMap{
	"ago":   ago,
	"stamp": stamp,
	"iso":   iso,
	"dur":   duration,
	"bytes": byteSize,
	"short": engine.ShortCommit,
	"cut":   cutText,
	"plain": engine.PlainText,
	"cls":   stateClass,
	"who":   who,
	"pct":   func(f float64) string { return fmt.Sprintf("%.1f%%", f) },
}

// Field returns the error to show next to the named form field.
func (v *view) Field(name string) string { return v.Fields[name] }

// ago says how long ago t was, in words ("3 minutes ago"); "never" for
// the zero time.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return plural(int(d/time.Second), "second") + " ago"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// stamp is t in UTC for people; "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// iso is t for a <time datetime> attribute.
func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// duration is d rounded for people ("1m 5s"); "—" for zero.
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
}

// byteSize is n bytes in binary units ("48.0 MiB").
func byteSize(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

// cutText makes s plain (engine.PlainText: no colours, escape sequences
// or control characters) and shortens it to at most n characters, marking
// the cut with "…".
func cutText(n int, s string) string {
	s = engine.PlainText(s) // no escape sequences or control characters reach the page
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n]), " ") + "…"
}
