package certs

import (
	"context"
	"time"

	"github.com/quayside/quayside/engine"
)

// FailureCheckEvery is how often WatchFailures looks for failures.
const FailureCheckEvery = 10 * time.Minute

// Apps is what WatchFailures asks of the engine (*engine.Engine): the
// hosts served, the app a host belongs to, and where events go.
type Apps interface {
	AllHosts(ctx context.Context) ([]string, error)
	ListApps(ctx context.Context) ([]*engine.App, error)
	AppHost(app string) string
	Domains(ctx context.Context, app string) ([]engine.AppDomain, error)
	Report(ctx context.Context, ev engine.Event)
}

var _ Apps = (*engine.Engine)(nil)

// WatchFailures reports each new certificate failure (an order or a
// renewal that failed) as an EventCertificateFailing of the host's app,
// which alerts pass on, looking every interval until ctx ends. A failure
// is reported once, however long it lasts; a later failure of the same
// host is reported again.
func (m *Manager) WatchFailures(ctx context.Context, apps Apps, every time.Duration) {
	w := &failureWatcher{status: m.Status, apps: apps, seen: map[string]time.Time{}}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.report(ctx)
		}
	}
}

// failureWatcher remembers the failures it reported.
type failureWatcher struct {
	status func(ctx context.Context, hosts []string) []engine.CertStatus
	apps   Apps
	seen   map[string]time.Time // host: time of the last failure reported
}

// report reports the failures newer than those seen.
func (w *failureWatcher) report(ctx context.Context) {
	hosts, err := w.apps.AllHosts(ctx)
	if err != nil {
		return
	}
	for _, st := range w.status(ctx, hosts) {
		if st.LastError == "" || !st.LastErrorAt.After(w.seen[st.Host]) {
			continue
		}
		w.seen[st.Host] = st.LastErrorAt
		w.apps.Report(ctx, engine.Event{
			Kind: engine.EventCertificateFailing, App: appOfHost(ctx, w.apps, st.Host),
			Message: "the certificate of " + st.Host + " could not be obtained or renewed: " + st.LastError,
		})
	}
}

// appOfHost names the app a host belongs to, "" when none does.
func appOfHost(ctx context.Context, apps Apps, host string) string {
	list, err := apps.ListApps(ctx)
	if err != nil {
		return ""
	}
	for _, a := range list {
		if apps.AppHost(a.Name) == host {
			return a.Name
		}
		doms, err := apps.Domains(ctx, a.Name)
		if err != nil {
			continue
		}
		for _, dm := range doms {
			if dm.Host == host {
				return a.Name
			}
		}
	}
	return ""
}
