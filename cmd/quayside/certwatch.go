package main

import (
	"context"
	"time"

	"github.com/quayside/quayside/engine"
)

// certCheckEvery is how often certificate failures are looked for.
const certCheckEvery = 10 * time.Minute

// watchCertificates reports each new certificate failure (an order or a
// renewal that failed) as an event, which alerts pass on. A failure is
// reported once, however long it lasts.
func (d *daemon) watchCertificates(ctx context.Context) {
	seen := map[string]time.Time{}
	t := time.NewTicker(certCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.reportCertFailures(ctx, seen)
		}
	}
}

func (d *daemon) reportCertFailures(ctx context.Context, seen map[string]time.Time) {
	hosts, err := d.engine.AllHosts(ctx)
	if err != nil {
		return
	}
	for _, st := range d.certs.Status(ctx, hosts) {
		if st.LastError == "" || !st.LastErrorAt.After(seen[st.Host]) {
			continue
		}
		seen[st.Host] = st.LastErrorAt
		d.engine.Report(ctx, engine.Event{
			Kind: engine.EventCertificateFailing, App: appOfHost(ctx, d, st.Host),
			Message: "the certificate of " + st.Host + " could not be obtained or renewed: " + st.LastError,
		})
	}
}

// appOfHost names the app a host belongs to, "" when none does.
func appOfHost(ctx context.Context, d *daemon, host string) string {
	apps, err := d.engine.ListApps(ctx)
	if err != nil {
		return ""
	}
	for _, a := range apps {
		if d.engine.AppHost(a.Name) == host {
			return a.Name
		}
		doms, err := d.engine.Domains(ctx, a.Name)
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
