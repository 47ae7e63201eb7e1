package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTTL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "12h": 12 * time.Hour, "90s": 90 * time.Second, "1h30m": 90 * time.Minute} {
		got, err := parseTTL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "0d", "-1d", "7w", "-5s", "0", "99999d"} {
		_, err := parseTTL(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "7d", ttlText(7*24*time.Hour))
	assert.Equal(t, "3s", ttlText(3*time.Second))
}
