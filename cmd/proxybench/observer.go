package main

import (
	"github.com/quayside/quayside/proxy"
	"github.com/quayside/quayside/ui/metrics"
)

// observer reports the proxy's requests to the metrics, as the daemon's
// wiring does (cmd/quayside/daemon/control.go).
type observer struct{ m *metrics.Metrics }

func (o observer) ObserveRequest(i proxy.RequestInfo) {
	o.m.ObserveRequest(i.App, i.Status, i.Duration, i.BytesIn, i.BytesOut)
}
func (o observer) RequestStarted(app string) { o.m.RequestStarted(app) }
func (o observer) RequestDone(app string)    { o.m.RequestDone(app) }
