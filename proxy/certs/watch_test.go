package certs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeApps is an engine with two apps: shop (with a custom domain) and blog.
type fakeApps struct {
	hostsErr error
	events   []engine.Event
}

func (f *fakeApps) AllHosts(context.Context) ([]string, error) {
	return []string{"shop.example.com", "www.shop.test", "blog.example.com", "stray.test"}, f.hostsErr
}

func (f *fakeApps) ListApps(context.Context) ([]*engine.App, error) {
	return []*engine.App{{Name: "blog"}, {Name: "shop"}}, nil
}

func (f *fakeApps) AppHost(app string) string { return app + ".example.com" }

func (f *fakeApps) Domains(_ context.Context, app string) ([]engine.AppDomain, error) {
	if app == "shop" {
		return []engine.AppDomain{{Host: "shop.example.com", Default: true}, {Host: "www.shop.test"}}, nil
	}
	return nil, errors.New("no domains")
}

func (f *fakeApps) Report(_ context.Context, ev engine.Event) { f.events = append(f.events, ev) }

func TestFailureWatcher(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	failures := map[string]time.Time{"www.shop.test": t0, "stray.test": t0}
	status := func(_ context.Context, hosts []string) []engine.CertStatus {
		var out []engine.CertStatus
		for _, h := range hosts {
			st := engine.CertStatus{Host: h, State: engine.CertValid}
			if at, ok := failures[h]; ok {
				st.State, st.LastError, st.LastErrorAt = engine.CertFailed, "rate limited", at
			}
			out = append(out, st)
		}
		return out
	}
	apps := &fakeApps{}
	w := &failureWatcher{status: status, apps: apps, seen: map[string]time.Time{}}

	w.report(t.Context())
	require.Len(t, apps.events, 2, "one event per failing host")
	assert.Equal(t, engine.EventCertificateFailing, apps.events[0].Kind)
	assert.Equal(t, "shop", apps.events[0].App, "a custom domain is of its app")
	assert.Equal(t, "the certificate of www.shop.test could not be obtained or renewed: rate limited", apps.events[0].Message)
	assert.Empty(t, apps.events[1].App, "a host of no app")

	w.report(t.Context())
	assert.Len(t, apps.events, 2, "a failure is reported once, however long it lasts")

	failures["www.shop.test"] = t0.Add(time.Hour)
	w.report(t.Context())
	require.Len(t, apps.events, 3, "a new failure of the same host is reported again")

	apps.hostsErr = errors.New("database gone")
	failures["stray.test"] = t0.Add(2 * time.Hour)
	w.report(t.Context())
	assert.Len(t, apps.events, 3, "nothing is reported when the hosts cannot be listed")
}

func TestAppOfHost(t *testing.T) {
	apps := &fakeApps{}
	for host, app := range map[string]string{"shop.example.com": "shop", "blog.example.com": "blog", "www.shop.test": "shop", "nobody.test": ""} {
		assert.Equal(t, app, appOfHost(t.Context(), apps, host), host)
	}
}

func TestWatchFailuresEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { (&Manager{}).WatchFailures(ctx, &fakeApps{}, time.Hour); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("WatchFailures did not return when its context ended")
	}
}
