package store

import (
	"database/sql"
	"fmt"
	"time"
)

// timeLayout stores times as fixed-width UTC text with nanoseconds: exact,
// readable in the sqlite3 shell, and ordered like the times themselves.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime is t as stored.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// formatNullTime is t as stored, NULL for the zero time.
func formatNullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// parseTime reads a stored time; it comes back in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time: %w", err)
	}
	return t.UTC(), nil
}

// parseNullTime reads a stored time that may be NULL (the zero time).
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}
