package cron

import "time"

// searchYears bounds the search for the next slot: the rarest schedule
// (29 February on a Monday) recurs within 28 years.
const searchYears = 30

// Next returns the first slot of s strictly after after, or the zero time
// if there is none within 30 years. Slots fall on whole minutes.
func (s *Schedule) Next(after time.Time) time.Time {
	if s.hourStar {
		return s.nextInstant(after)
	}
	return s.nextWall(after)
}

// nextInstant follows real minutes and matches their local wall clock.
func (s *Schedule) nextInstant(after time.Time) time.Time {
	return s.step(wholeMinuteAfter(after.In(s.loc)))
}

// nextWall searches local wall-clock times (as UTC calendar values, which
// have no DST) and maps each match to the instant it happens.
func (s *Schedule) nextWall(after time.Time) time.Time {
	w := wallOf(after.In(s.loc))
	limit := w.AddDate(searchYears, 0, 0)
	for w.Before(limit) {
		w = s.step(w.Add(time.Minute))
		if w.IsZero() {
			return time.Time{}
		}
		if t := s.instantOf(w); t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// step returns the first time at or after t (a whole minute, in whatever
// location it carries) whose fields match s, or the zero time.
func (s *Schedule) step(t time.Time) time.Time {
	limit := t.AddDate(searchYears, 0, 0)
	for t.Before(limit) {
		prev := t
		switch {
		case s.month&(1<<int(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
		case s.hour&(1<<t.Hour()) == 0:
			t = t.Add(time.Duration(60-t.Minute()) * time.Minute)
		case s.minute&(1<<t.Minute()) == 0:
			t = t.Add(time.Minute)
		default:
			return t
		}
		if !t.After(prev) {
			t = prev.Add(time.Minute)
		}
	}
	return time.Time{}
}

func (s *Schedule) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<t.Day()) != 0
	dow := s.dow&(1<<int(t.Weekday())) != 0
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// instantOf returns when local wall time w (given as UTC) happens in s.loc:
// the first time if it happens twice, the moment the clock jumps over it if
// it does not happen at all.
func (s *Schedule) instantOf(w time.Time) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, s.loc)
	got := wallOf(t)
	switch {
	case got.Equal(w):
		// Go may pick either occurrence of a repeated time: take the first.
		if earlier := t.Add(-time.Hour); wallOf(earlier).Equal(w) {
			return earlier
		}
		if earlier := t.Add(-30 * time.Minute); wallOf(earlier).Equal(w) {
			return earlier
		}
		return t
	case got.After(w):
		start, _ := t.ZoneBounds()
		return start
	default:
		_, end := t.ZoneBounds()
		return end
	}
}

// wallOf returns t's local wall clock as a UTC time with the same fields.
func wallOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
}

// wholeMinuteAfter returns the first whole local minute strictly after t.
func wholeMinuteAfter(t time.Time) time.Time {
	return t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond())).Add(time.Minute)
}
