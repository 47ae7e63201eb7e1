package engine

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddressKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1:5555", "192.0.2.1"},
		{"192.0.2.2", "192.0.2.2"}, // IPv4: each address on its own
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"},
		{"[2001:db8:1:2::9]:443", "2001:db8:1::/48"},
		{"2001:db8:1:ffff:ffff::1", "2001:db8:1::/48"}, // another /64 of the same /48
		{"2001:db8:2::1", "2001:db8:2::/48"},
		{"fe80::1%eth0", "fe80::/48"},
		{"", ""},
		{"@", "@"},
		{strings.Repeat("x", 100), strings.Repeat("x", 64)},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, addressKey(tt.in), tt.in)
	}
}

func TestThrottleWindow(t *testing.T) {
	th := newThrottle(3, 10*time.Minute)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	take := func(key string, at time.Time) time.Duration {
		wait, _ := th.take(key, at)
		return wait
	}
	for i := range 3 {
		require.Zero(t, take("k", t0.Add(time.Duration(i)*time.Minute)))
	}
	assert.Equal(t, 7*time.Minute, take("k", t0.Add(3*time.Minute)))
	assert.Zero(t, take("other", t0), "keys are separate")
	assert.Zero(t, take("", t0), "no key, no throttle")
	assert.Zero(t, take("k", t0.Add(10*time.Minute)), "the first failure left the window")
	assert.Equal(t, time.Minute, take("k", t0.Add(10*time.Minute)))

	th.forgive("k", t0.Add(10*time.Minute))
	assert.Zero(t, take("k", t0.Add(10*time.Minute)), "a forgiven failure does not count")
	th.reset("k")
	assert.Zero(t, take("k", t0.Add(10*time.Minute)))
}

func TestThrottleSaysWhichRefusalIsFirst(t *testing.T) {
	th := newThrottle(2, 10*time.Minute)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	th.take("k", t0)
	th.take("k", t0.Add(time.Minute))
	var firsts []bool
	for i := 2; i < 5; i++ {
		wait, first := th.take("k", t0.Add(time.Duration(i)*time.Minute))
		require.NotZero(t, wait)
		firsts = append(firsts, first)
	}
	assert.Equal(t, []bool{true, false, false}, firsts)

	wait, _ := th.take("k", t0.Add(10*time.Minute)) // the first failure left
	require.Zero(t, wait)
	wait, first := th.take("k", t0.Add(10*time.Minute))
	require.NotZero(t, wait)
	assert.True(t, first, "a new lockout is reported again")
}

func TestThrottleMemoryIsBounded(t *testing.T) {
	th := newThrottle(2, time.Minute)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxThrottleKeys + 10 {
		th.take(string(rune(i+1)), t0)
	}
	assert.LessOrEqual(t, len(th.keys), maxThrottleKeys)
	later := t0.Add(2 * time.Minute)
	for i := range maxThrottleKeys + 10 {
		key := string(rune(i+1)) + "y"
		th.take(key, later)
		th.take(key, later)
	}
	assert.LessOrEqual(t, len(th.keys), maxThrottleKeys, "even when every key is at its limit")
	wait, _ := th.take(string(rune(maxThrottleKeys+10))+"y", later)
	assert.NotZero(t, wait, "the newest keys are kept")
}

func TestTokenSecretFormat(t *testing.T) {
	re := regexp.MustCompile(`^qs_[0-9A-Za-z]{40}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 500 {
		s, err := newTokenSecret()
		require.NoError(t, err)
		require.Regexp(t, re, s)
		require.False(t, seen[s])
		seen[s] = true
		for _, c := range s[3:] {
			counts[c]++
		}
	}
	assert.Len(t, counts, 62, "every base62 character shows up")
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"},
		{"héllo", 3, "hé"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, cut(tt.in, tt.n), "%q %d", tt.in, tt.n)
	}
}
