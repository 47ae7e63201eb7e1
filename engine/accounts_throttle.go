package engine

import (
	"net/netip"
	"sync"
	"time"
)

// maxThrottleKeys bounds the keys a throttle tracks (a few MB at most).
const maxThrottleKeys = 10000

// throttle counts failures per key in a sliding window and refuses a key
// that has reached max of them.
type throttle struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	keys map[string]*failures
}

// failures are one key's failures in the window.
type failures struct {
	at []time.Time // oldest first
	// told is the failure that made the count reach max when a refusal
	// caused by it was reported as the first.
	told time.Time
}

func newThrottle(max int, window time.Duration) *throttle {
	return &throttle{max: max, window: window, keys: map[string]*failures{}}
}

// take counts an attempt of key at now as a failure in advance, so that
// attempts running at the same time cannot get past the limit, and
// returns 0. When key has reached the limit it counts nothing and returns
// how long key must wait, and whether this is the first refusal since the
// limit was reached. An empty key is never throttled.
func (t *throttle) take(key string, now time.Time) (wait time.Duration, first bool) {
	if key == "" {
		return 0, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.prune(key, now)
	if len(f.at) >= t.max {
		// Allowed again when the failure that made the count reach max
		// leaves the window.
		trip := f.at[len(f.at)-t.max]
		first, f.told = !f.told.Equal(trip), trip
		return trip.Add(t.window).Sub(now), first
	}
	f.at = append(f.at, now)
	t.keys[key] = f
	if len(t.keys) > maxThrottleKeys {
		t.shrink(now)
	}
	return 0, false
}

// clean reports whether key has no failures in the window at now.
func (t *throttle) clean(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.prune(key, now).at) == 0
}

// forgive takes back the failure take counted for key at at.
func (t *throttle) forgive(key string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.keys[key]
	if !ok {
		return
	}
	for i := len(f.at) - 1; i >= 0; i-- {
		if f.at[i].Equal(at) {
			f.at = append(f.at[:i:i], f.at[i+1:]...)
			break
		}
	}
	if len(f.at) == 0 {
		delete(t.keys, key)
	}
}

// reset forgets key's failures.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// prune drops key's failures that have left the window and returns the
// rest, which the map holds only while there are any.
func (t *throttle) prune(key string, now time.Time) *failures {
	f, ok := t.keys[key]
	if !ok {
		return &failures{}
	}
	i := 0
	for i < len(f.at) && !f.at[i].Add(t.window).After(now) {
		i++
	}
	f.at = f.at[i:]
	if len(f.at) == 0 {
		delete(t.keys, key)
	}
	return f
}

// shrink drops expired keys, then keys below max failures, then any keys,
// until the map is at most half full. Under an attack from more addresses
// than it holds, memory stays bounded and some addresses are forgotten
// early; the per-account limit still holds for each account.
func (t *throttle) shrink(now time.Time) {
	for key := range t.keys {
		t.prune(key, now)
	}
	for _, all := range []bool{false, true} {
		for key, f := range t.keys {
			if len(t.keys) <= maxThrottleKeys/2 {
				return
			}
			if all || len(f.at) < t.max {
				delete(t.keys, key)
			}
		}
	}
}

// addressKey is the key an address is throttled by: the IPv4 address
// without a port, and for IPv6 the whole /48 (a site's allocation: an
// attacker holds at least a /64, often a /48, and could otherwise change
// address at every attempt). Input that is not an IP is used as it is,
// cut to 64 bytes.
func addressKey(from string) string {
	addr, err := netip.ParseAddr(from)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(from)
		if err2 != nil {
			if len(from) > 64 {
				from = from[:64]
			}
			return from
		}
		addr = ap.Addr()
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(48)
		return p.String()
	}
	return addr.String()
}
