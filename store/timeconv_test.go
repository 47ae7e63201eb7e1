package store

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		text string
	}{
		{"utc nanos", time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), "2025-01-02T03:04:05.000000006Z"},
		{"other zone", time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", -7*3600)), "2025-01-02T10:04:05.000000000Z"},
		{"monotonic", time.Unix(1700000000, 123).In(time.Local), "2023-11-14T22:13:20.000000123Z"},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := formatTime(tt.in)
			assert.Equal(t, tt.text, s)
			got, err := parseTime(s)
			require.NoError(t, err)
			assert.Equal(t, tt.in.UTC(), got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestTimeTextSortsLikeTime(t *testing.T) {
	a := time.Date(2025, 1, 2, 3, 4, 5, 100, time.UTC)
	b := a.Add(time.Nanosecond * 900)
	assert.Less(t, formatTime(a), formatTime(b))
}

func TestNullTime(t *testing.T) {
	assert.Equal(t, sql.NullString{}, formatNullTime(time.Time{}))
	got, err := parseNullTime(sql.NullString{})
	require.NoError(t, err)
	assert.True(t, got.IsZero())
	_, err = parseTime("yesterday")
	assert.Error(t, err)
}
