package docker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseLogTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-05-01T10:00:00.123456789Z", time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC), true},
		{"1999-12-31T23:59:59.000000001Z", time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC), true},
		{"2024-05-01T10:00:00.5Z", time.Date(2024, 5, 1, 10, 0, 0, 500000000, time.UTC), true},
		{"2024-05-01T12:00:00.000000000+02:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-02-30T10:00:00.000000000Z", time.Time{}, false},
		{"2024-13-01T10:00:00.000000000Z", time.Time{}, false},
		{"2024-05-01T24:00:00.000000000Z", time.Time{}, false},
		{"2024-05-01X10:00:00.000000000Z", time.Time{}, false},
		{"2024-05-01T10:00:00.00000000aZ", time.Time{}, false},
		{"hello", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseLogTime([]byte(tt.in))
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.True(t, tt.want.Equal(got), "%s: got %s", tt.in, got)
	}
}

func TestParseLogTimeAgreesWithTimeParse(t *testing.T) {
	for _, ts := range []time.Time{time.Now(), time.Unix(0, 0), time.Date(2038, 1, 19, 3, 14, 8, 999999999, time.UTC)} {
		s := ts.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") // Docker's RFC3339NanoFixed
		got, ok := parseFixedUTC([]byte(s))
		assert.True(t, ok, s)
		assert.True(t, ts.Equal(got), s)
	}
}

func TestParseLogTimeDoesNotAllocate(t *testing.T) {
	b := []byte("2024-05-01T10:00:00.123456789Z")
	allocs := testing.AllocsPerRun(100, func() { _, _ = parseLogTime(b) })
	assert.Zero(t, allocs)
}
