package certs

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func newTestTracker(t *testing.T, dir string) *tracker {
	return newTracker(&failureFile{path: filepath.Join(dir, "state.json")}, slog.New(slog.DiscardHandler))
}

func TestTrackerStates(t *testing.T) {
	tr := newTestTracker(t, t.TempDir())
	now := time.Now()
	state := func() string { return tr.status("app.test", now).State }

	assert.Equal(t, engine.CertNone, state())
	tr.attemptStarted("app.test")
	assert.Equal(t, engine.CertNone, state(), "events for hosts not managed are ignored")

	_, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.True(t, tr.manage("app.test", cancel))
	assert.False(t, tr.manage("app.test", cancel), "managing twice is a no-op")
	assert.Equal(t, engine.CertPending, state())

	tr.attemptFailed("app.test", "DNS is wrong", now)
	assert.Equal(t, engine.CertFailed, state())
	tr.attemptStarted("app.test")
	st := tr.status("app.test", now)
	assert.Equal(t, engine.CertPending, st.State, "retrying")
	assert.Equal(t, "DNS is wrong", st.LastError, "the last error stays visible while retrying")

	tr.attemptSucceeded("app.test")
	tr.loaded("app.test", leafInfo{issuer: "CA", notBefore: now, notAfter: now.Add(time.Hour), renewAt: now.Add(40 * time.Minute)})
	st = tr.status("app.test", now)
	assert.Equal(t, engine.CertValid, st.State)
	assert.Empty(t, st.LastError)
	assert.Equal(t, "CA", st.Issuer)
	assert.True(t, tr.has("app.test", now))

	tr.attemptFailed("app.test", "renewing the certificate failed: DNS is wrong", now)
	st = tr.status("app.test", now)
	assert.Equal(t, engine.CertValid, st.State, "a failing renewal keeps the valid certificate")
	assert.NotEmpty(t, st.LastError, "but says renewal is failing")

	later := now.Add(2 * time.Hour)
	assert.False(t, tr.has("app.test", later), "an expired certificate is not served as valid")
	assert.Equal(t, engine.CertFailed, tr.status("app.test", later).State)

	assert.NotNil(t, tr.forget("app.test"))
	assert.Equal(t, engine.CertNone, state())
	assert.False(t, tr.has("app.test", now))
}

func TestTrackerPersistsFailures(t *testing.T) {
	dir := t.TempDir()
	tr := newTestTracker(t, dir)
	at := time.Now().Truncate(time.Second)
	tr.manage("shop.test", nil)
	tr.manage("app.test", nil)
	tr.attemptFailed("shop.test", "DNS is wrong", at)
	tr.attemptFailed("shop.test", "DNS is wrong", at)
	tr.attemptFailed("app.test", "firewall", at)
	tr.attemptSucceeded("app.test")

	info, err := os.Stat(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	again := newTestTracker(t, dir)
	st := again.status("shop.test", time.Now())
	assert.Equal(t, engine.CertFailed, st.State)
	assert.Equal(t, "DNS is wrong", st.LastError)
	assert.True(t, at.Equal(st.LastErrorAt))
	n, last := again.failures("shop.test")
	assert.Equal(t, 2, n)
	assert.True(t, at.Equal(last))
	assert.Equal(t, engine.CertNone, again.status("app.test", time.Now()).State, "a success clears the saved failure")

	again.forget("shop.test")
	assert.Equal(t, engine.CertNone, newTestTracker(t, dir).status("shop.test", time.Now()).State, "forgetting clears its status")
}

// TestTrackerRemembersFailuresOfForgottenHosts removes a failing domain
// and adds it again: the backoff goes on where it was, even across a
// restart, until failureMemory has passed.
func TestTrackerRemembersFailuresOfForgottenHosts(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tr := newTestTracker(t, dir)
	tr.now = func() time.Time { return clock }
	tr.manage("shop.test", nil)
	for range 3 {
		tr.attemptFailed("shop.test", "rate limited", clock)
	}
	tr.forget("shop.test")
	assert.Equal(t, engine.CertNone, tr.status("shop.test", clock).State, "a removed domain has no status")
	n, last := tr.failures("shop.test")
	assert.Equal(t, 3, n, "the backoff is remembered after removal")
	assert.True(t, clock.Equal(last))

	tr.manage("shop.test", nil)
	n, _ = tr.failures("shop.test")
	assert.Equal(t, 3, n, "adding the domain again keeps the backoff")
	tr.attemptFailed("shop.test", "rate limited", clock)
	tr.forget("shop.test")

	restarted := newTestTracker(t, dir)
	restarted.now = func() time.Time { return clock.Add(time.Hour) }
	n, _ = restarted.failures("shop.test")
	assert.Equal(t, 4, n, "a restart between removal and re-adding keeps it too")
	assert.Equal(t, engine.CertNone, restarted.status("shop.test", clock).State)

	restarted.now = func() time.Time { return clock.Add(failureMemory + time.Minute) }
	n, _ = restarted.failures("shop.test")
	assert.Zero(t, n, "forgotten after failureMemory")
	restarted.manage("shop.test", nil)
	n, _ = restarted.failures("shop.test")
	assert.Zero(t, n)
}

func TestTrackerIgnoresUnreadableState(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "state.json"), []byte("{"), 0o600))
	tr := newTestTracker(t, dir)
	assert.Equal(t, engine.CertNone, tr.status("x.test", time.Now()).State)
}

func TestWatchWakesOnChange(t *testing.T) {
	tr := newTestTracker(t, t.TempDir())
	tr.manage("app.test", nil)
	changed, state := tr.watch("app.test", time.Now())
	assert.Equal(t, engine.CertPending, state)
	tr.attemptFailed("app.test", "no", time.Now())
	select {
	case <-changed:
	case <-time.After(time.Second):
		t.Fatal("watch did not wake")
	}
}

func TestBackoff(t *testing.T) {
	assert.Equal(t, time.Minute, backoff(1))
	assert.Equal(t, 2*time.Minute, backoff(2))
	assert.Equal(t, 6*time.Hour, backoff(8))
	assert.Equal(t, 6*time.Hour, backoff(100))
}

func TestIssuerName(t *testing.T) {
	leaf := func(org, cn string) *x509.Certificate {
		n := pkix.Name{CommonName: cn}
		if org != "" {
			n.Organization = []string{org}
		}
		return &x509.Certificate{Issuer: n}
	}
	assert.Equal(t, "Let's Encrypt R10", issuerName(leaf("Let's Encrypt", "R10")))
	assert.Equal(t, "Pebble Intermediate CA 1a2b", issuerName(leaf("", "Pebble Intermediate CA 1a2b")))
	assert.Equal(t, "Quayside Local CA 0f0f", issuerName(leaf("Quayside", "Quayside Local CA 0f0f")))
	assert.Equal(t, "Acme Corp", issuerName(leaf("Acme Corp", "")))
}

func TestRatioRenewAt(t *testing.T) {
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	leaf := &x509.Certificate{NotBefore: nb, NotAfter: nb.Add(90 * 24 * time.Hour)}
	assert.Equal(t, nb.Add(60*24*time.Hour), ratioRenewAt(leaf), "renewed with a third of the lifetime left")
}
