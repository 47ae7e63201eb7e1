package docker

import "time"

// dockerTimeLayout is the shape of the time Docker puts before each log
// message (jsonmessage.RFC3339NanoFixed in UTC); digits stand for digits.
const dockerTimeLayout = "0000-00-00T00:00:00.000000000Z"

// parseLogTime parses the time before a log message. Docker's own shape
// takes a fast path that does not allocate; anything else RFC 3339 goes
// through time.Parse.
func parseLogTime(b []byte) (time.Time, bool) {
	if t, ok := parseFixedUTC(b); ok {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}

// parseFixedUTC parses b if it has exactly the shape dockerTimeLayout.
func parseFixedUTC(b []byte) (time.Time, bool) {
	if len(b) != len(dockerTimeLayout) {
		return time.Time{}, false
	}
	for i := range len(b) {
		if isDigit := b[i] >= '0' && b[i] <= '9'; (dockerTimeLayout[i] == '0') != isDigit ||
			(!isDigit && b[i] != dockerTimeLayout[i]) {
			return time.Time{}, false
		}
	}
	year, month, day := digits(b[0:4]), time.Month(digits(b[5:7])), digits(b[8:10])
	hour, minute, sec := digits(b[11:13]), digits(b[14:16]), digits(b[17:19])
	t := time.Date(year, month, day, hour, minute, sec, digits(b[20:29]), time.UTC)
	if t.Month() != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, false // out of range: time.Date normalised it
	}
	return t, true
}

// digits is the number the ASCII digits b spell.
func digits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
