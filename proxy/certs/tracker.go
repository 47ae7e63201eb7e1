package certs

import (
	"context"
	"crypto/x509"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quayside/quayside/engine"
)

// record is what the Manager knows about one host's certificate.
type record struct {
	managed bool
	// attempting is true while an obtain or renewal attempt runs.
	attempting bool
	// issuer, notBefore, notAfter and renewAt describe the certificate in
	// memory; notAfter is zero when there is none.
	issuer                       string
	notBefore, notAfter, renewAt time.Time
	lastErr                      string
	lastErrAt                    time.Time
	// failures counts the attempts that failed in a row.
	failures int
	// cancel stops the host's background work (ACME mode).
	cancel context.CancelFunc
}

// leafInfo describes a certificate as the tracker stores it.
type leafInfo struct {
	issuer                       string
	notBefore, notAfter, renewAt time.Time
}

func (r *record) state(now time.Time) string {
	switch {
	case now.Before(r.notAfter):
		return engine.CertValid
	case r.attempting:
		return engine.CertPending
	case r.lastErr != "":
		return engine.CertFailed
	case r.managed:
		return engine.CertPending
	}
	return engine.CertNone
}

// failureMemory is how long the failures of a host that is no longer
// managed are remembered: removing a domain and adding it again within
// that time keeps its backoff, so it cannot be used to hammer the CA (and
// run into Let's Encrypt's rate limits). It outlasts the longest backoff
// step.
const failureMemory = 24 * time.Hour

// tracker keeps a record per host. HasCertificate reads an immutable
// snapshot (host -> NotAfter) without taking a lock; everything else takes
// mu. Waiters (handshakes) wait on changed, which is closed and replaced at
// every change. Failures are saved in a file so they survive restarts, and
// the failures of forgotten hosts are kept in past for failureMemory.
type tracker struct {
	mu      sync.Mutex
	recs    map[string]*record
	past    map[string]failure
	changed chan struct{}
	valid   atomic.Pointer[map[string]time.Time]
	store   *failureFile
	log     *slog.Logger
	now     func() time.Time
}

func newTracker(store *failureFile, log *slog.Logger) *tracker {
	t := &tracker{recs: map[string]*record{}, past: map[string]failure{}, changed: make(chan struct{}), store: store, log: log, now: time.Now}
	for host, f := range store.load(log) {
		if f.Forgotten {
			t.past[host] = f
			continue
		}
		t.recs[host] = &record{lastErr: f.Error, lastErrAt: f.At, failures: f.Count}
	}
	t.valid.Store(&map[string]time.Time{})
	return t
}

// pastLocked returns the remembered failures of a forgotten host, dropping
// them once older than failureMemory.
func (t *tracker) pastLocked(host string) (failure, bool) {
	f, ok := t.past[host]
	if ok && t.now().Sub(f.At) > failureMemory {
		delete(t.past, host)
		return failure{}, false
	}
	return f, ok
}

// has reports whether a certificate for host is in memory and unexpired.
func (t *tracker) has(host string, now time.Time) bool {
	notAfter, ok := (*t.valid.Load())[host]
	return ok && now.Before(notAfter)
}

// manage marks host managed. It returns false when it already was.
func (t *tracker) manage(host string, cancel context.CancelFunc) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recs[host]
	if r == nil {
		r = &record{}
		if f, ok := t.pastLocked(host); ok {
			r.lastErr, r.lastErrAt, r.failures = f.Error, f.At, f.Count
			delete(t.past, host)
		}
		t.recs[host] = r
	}
	if r.managed {
		return false
	}
	r.managed, r.cancel = true, cancel
	t.bumpLocked()
	return true
}

// managed reports whether host is managed.
func (t *tracker) managed(host string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recs[host]
	return r != nil && r.managed
}

// forget drops host and returns the cancel func of its background work.
// Its failures are remembered for failureMemory (see manage).
func (t *tracker) forget(host string) context.CancelFunc {
	t.mu.Lock()
	r := t.recs[host]
	delete(t.recs, host)
	if r != nil && r.failures > 0 {
		t.past[host] = failure{Error: r.lastErr, At: r.lastErrAt, Count: r.failures, Forgotten: true}
	}
	t.publishLocked()
	t.bumpLocked()
	t.mu.Unlock()
	if r == nil {
		return nil
	}
	if r.failures > 0 {
		t.save()
	}
	return r.cancel
}

// update applies f to host's record if host is managed, publishes the
// change and saves failures when persist is true.
func (t *tracker) update(host string, persist bool, f func(r *record)) {
	t.mu.Lock()
	r := t.recs[host]
	if r == nil || !r.managed {
		t.mu.Unlock()
		return
	}
	f(r)
	t.publishLocked()
	t.bumpLocked()
	t.mu.Unlock()
	if persist {
		t.save()
	}
}

func (t *tracker) attemptStarted(host string) {
	t.update(host, false, func(r *record) { r.attempting = true })
}

func (t *tracker) attemptFailed(host, msg string, at time.Time) {
	t.update(host, true, func(r *record) {
		r.attempting, r.lastErr, r.lastErrAt = false, msg, at
		r.failures++
	})
}

func (t *tracker) attemptSucceeded(host string) {
	t.update(host, true, func(r *record) {
		r.attempting, r.lastErr, r.lastErrAt, r.failures = false, "", time.Time{}, 0
	})
}

// loaded records the certificate now in memory for host.
func (t *tracker) loaded(host string, info leafInfo) {
	t.update(host, false, func(r *record) {
		r.attempting = false
		r.issuer, r.notBefore, r.notAfter, r.renewAt = info.issuer, info.notBefore, info.notAfter, info.renewAt
	})
}

// failures returns how often host failed in a row and when it last did.
func (t *tracker) failures(host string) (int, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.recs[host]; r != nil {
		return r.failures, r.lastErrAt
	}
	if f, ok := t.pastLocked(host); ok {
		return f.Count, f.At
	}
	return 0, time.Time{}
}

// lastError returns host's last error, "" if none.
func (t *tracker) lastError(host string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.recs[host]; r != nil {
		return r.lastErr
	}
	return ""
}

// status reports host's certificate.
func (t *tracker) status(host string, now time.Time) engine.CertStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.recs[host]
	if r == nil {
		return engine.CertStatus{Host: host, State: engine.CertNone}
	}
	st := engine.CertStatus{Host: host, State: r.state(now), LastError: r.lastErr, LastErrorAt: r.lastErrAt}
	if !r.notAfter.IsZero() {
		st.Issuer, st.NotAfter, st.RenewAt = r.issuer, r.notAfter, r.renewAt
	}
	return st
}

// watch returns a channel closed at the next change, and host's state.
func (t *tracker) watch(host string, now time.Time) (<-chan struct{}, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	state := engine.CertNone
	if r := t.recs[host]; r != nil {
		state = r.state(now)
	}
	return t.changed, state
}

func (t *tracker) bumpLocked() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// publishLocked replaces the snapshot HasCertificate reads.
func (t *tracker) publishLocked() {
	next := make(map[string]time.Time, len(t.recs))
	for host, r := range t.recs {
		if r.managed && !r.notAfter.IsZero() {
			next[host] = r.notAfter
		}
	}
	if !maps.Equal(next, *t.valid.Load()) {
		t.valid.Store(&next)
	}
}

// save writes the current failures to disk.
func (t *tracker) save() {
	t.store.mu.Lock()
	defer t.store.mu.Unlock()
	t.mu.Lock()
	failures := make(map[string]failure)
	for host := range t.past {
		if f, ok := t.pastLocked(host); ok {
			failures[host] = f
		}
	}
	for host, r := range t.recs {
		if r.failures > 0 {
			failures[host] = failure{Error: r.lastErr, At: r.lastErrAt, Count: r.failures}
		}
	}
	t.mu.Unlock()
	if err := t.store.write(failures); err != nil {
		t.log.Warn("saving certificate failures", "err", err)
	}
}

// describeLeaf returns what Status reports about a certificate; renewAt
// comes from the caller, who knows the renewal policy.
func describeLeaf(leaf *x509.Certificate, renewAt time.Time) leafInfo {
	return leafInfo{issuer: issuerName(leaf), notBefore: leaf.NotBefore, notAfter: leaf.NotAfter, renewAt: renewAt}
}

// issuerName names the CA that signed leaf: its organization and common
// name ("Let's Encrypt R10"), or the common name alone when it already
// says it ("Pebble Intermediate CA 1a2b3c").
func issuerName(leaf *x509.Certificate) string {
	cn := leaf.Issuer.CommonName
	if len(leaf.Issuer.Organization) == 0 {
		return cn
	}
	org := leaf.Issuer.Organization[0]
	if cn == "" || containsFold(cn, org) {
		return firstNonEmpty(cn, org)
	}
	return org + " " + cn
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
