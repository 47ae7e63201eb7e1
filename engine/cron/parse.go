package cron

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxSpecLen bounds the length of a schedule.
const MaxSpecLen = 200

// Schedule is a parsed schedule. The zero value is not usable; get one from
// Parse.
type Schedule struct {
	minute, hour, dom, month, dow uint64
	// domStar and dowStar say the day fields began with *: when both are
	// restricted a day matches either (crontab(5)).
	domStar, dowStar bool
	// hourStar says the hour field began with *: see the package comment
	// on daylight saving time.
	hourStar bool
	loc      *time.Location
	spec     string
}

// field describes one of the five fields.
type field struct {
	name     string
	min, max int
	names    []string
}

var fields = [5]field{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day-of-week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// Parse reads spec, five space-separated fields (minute hour day-of-month
// month day-of-week) or one of the shorthands, as local times of loc (nil
// means UTC). Its errors name the field that is wrong and say how to fix it.
// A schedule that can never be due (0 0 30 2 *) is an error.
func Parse(spec string, loc *time.Location) (*Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	if err := checkText(spec); err != nil {
		return nil, err
	}
	text := strings.TrimSpace(spec)
	if strings.HasPrefix(text, "@") {
		m, ok := macros[strings.ToLower(text)]
		if !ok {
			return nil, fmt.Errorf("%q is not a known shorthand: use @hourly, @daily, @weekly, @monthly or @yearly, or five fields", text)
		}
		text = m
	}
	parts := strings.Fields(text)
	if len(parts) != 5 {
		return nil, countError(len(parts))
	}
	s := &Schedule{loc: loc, spec: strings.Join(parts, " ")}
	dst := [5]*uint64{&s.minute, &s.hour, &s.dom, &s.month, &s.dow}
	for i, p := range parts {
		bits, err := parseField(p, fields[i])
		if err != nil {
			return nil, err
		}
		*dst[i] = bits
	}
	if s.dow&(1<<7) != 0 {
		s.dow = s.dow&^(1<<7) | 1
	}
	s.hourStar = strings.HasPrefix(parts[1], "*")
	s.domStar = strings.HasPrefix(parts[2], "*")
	s.dowStar = strings.HasPrefix(parts[4], "*")
	if err := s.checkReachable(); err != nil {
		return nil, err
	}
	return s, nil
}

// MustParse is Parse for schedules known to be valid; it panics otherwise.
func MustParse(spec string, loc *time.Location) *Schedule {
	s, err := Parse(spec, loc)
	if err != nil {
		panic(err)
	}
	return s
}

// LoadZone returns the time zone named name ("" and "UTC" mean UTC), with an
// error that says how to name one.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if len(name) > 64 || name == "Local" {
		return nil, fmt.Errorf("time zone %q is not valid: name one from the IANA database, such as Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not known: name one from the IANA database, such as Europe/Paris or America/New_York", name)
	}
	return loc, nil
}

// String returns the schedule's five fields.
func (s *Schedule) String() string { return s.spec }

// Location returns the time zone the schedule is read in.
func (s *Schedule) Location() *time.Location { return s.loc }

func checkText(spec string) error {
	if len(spec) > MaxSpecLen {
		return fmt.Errorf("the schedule is %d bytes long: the limit is %d", len(spec), MaxSpecLen)
	}
	if strings.TrimSpace(spec) == "" {
		return fmt.Errorf("the schedule is empty: give five fields, as in \"0 3 * * *\" (03:00 every day), or @daily")
	}
	for _, r := range spec {
		if r != ' ' && r != '\t' && (r < '!' || r > '~') {
			return fmt.Errorf("the schedule contains the character %q: use only digits, letters and * , - /", r)
		}
	}
	return nil
}

func countError(n int) error {
	if n == 6 {
		return fmt.Errorf("the schedule has 6 fields: seconds are not supported, the shortest interval is one minute; give five fields: minute hour day-of-month month day-of-week")
	}
	return fmt.Errorf("the schedule has %d fields: give five, minute hour day-of-month month day-of-week, as in \"*/15 * * * *\"", n)
}

// parseField reads one comma-separated field into a bit set.
func parseField(text string, f field) (uint64, error) {
	var bits uint64
	for item := range strings.SplitSeq(text, ",") {
		b, err := parseItem(item, f)
		if err != nil {
			return 0, fmt.Errorf("%s field %q: %w", f.name, text, err)
		}
		bits |= b
	}
	return bits, nil
}

// parseItem reads *, */n, a, a-b, a-b/n or a/n.
func parseItem(item string, f field) (uint64, error) {
	if item == "" {
		return 0, fmt.Errorf("an empty item: remove the extra comma")
	}
	rng, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 || n > f.max {
			return 0, fmt.Errorf("step %q must be a number from 1 to %d", stepText, f.max)
		}
		step = n
	}
	lo, hi, err := parseRange(rng, f, hasStep)
	if err != nil {
		return 0, err
	}
	var bits uint64
	for v := lo; v <= hi; v += step {
		bits |= 1 << v
	}
	return bits, nil
}

func parseRange(rng string, f field, hasStep bool) (lo, hi int, err error) {
	if rng == "*" {
		return f.min, f.max, nil
	}
	loText, hiText, isRange := strings.Cut(rng, "-")
	if lo, err = parseValue(loText, f); err != nil {
		return 0, 0, err
	}
	switch {
	case isRange:
		if hi, err = parseValue(hiText, f); err != nil {
			return 0, 0, err
		}
	case hasStep:
		hi = f.max
	default:
		hi = lo
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range %s runs backwards: write the low value first, or split it into two ranges joined by a comma", rng)
	}
	return lo, hi, nil
}

func parseValue(text string, f field) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(text, n) {
			return i + f.min, nil
		}
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < f.min || n > f.max {
		return 0, fmt.Errorf("%q must be a number from %d to %d%s", text, f.min, f.max, nameHint(f))
	}
	return n, nil
}

func nameHint(f field) string {
	if f.names == nil {
		return ""
	}
	return fmt.Sprintf(" or a name (%s-%s)", f.names[0], f.names[len(f.names)-1])
}

// daysIn is the most days each month can have (February in a leap year).
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// checkReachable rejects day-of-month and month pairs that never occur
// when the day of the week does not widen them.
func (s *Schedule) checkReachable() error {
	if s.domStar || !s.dowStar {
		return nil
	}
	for m := 1; m <= 12; m++ {
		if s.month&(1<<m) != 0 && s.dom&(1<<(daysIn[m]+1)-1) != 0 {
			return nil
		}
	}
	return fmt.Errorf("day-of-month and month never meet (as in 30 February): the schedule would never run")
}
