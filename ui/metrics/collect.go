package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The per-app request metrics. They are read at scrape time from the
// appStats counters, so recording a request is a few atomic additions and
// an app's series go away with its counters.
var (
	descRequests = prometheus.NewDesc("quayside_http_requests_total",
		"HTTP requests the proxy answered, by app and status class (code 0: aborted before a status was sent). "+
			`Requests no app was routed to have app="-".`,
		[]string{"app", "code"}, nil)
	descDuration = prometheus.NewDesc("quayside_http_request_duration_seconds",
		"Time from the proxy receiving an HTTP request to finishing its response, by app.",
		[]string{"app"}, nil)
	descBytesIn = prometheus.NewDesc("quayside_http_request_bytes_total",
		"HTTP request body bytes the proxy read from clients, by app.",
		[]string{"app"}, nil)
	descBytesOut = prometheus.NewDesc("quayside_http_response_bytes_total",
		"HTTP response body bytes the proxy wrote to clients, by app.",
		[]string{"app"}, nil)
	descInFlight = prometheus.NewDesc("quayside_http_requests_in_flight",
		"HTTP requests the proxy is serving, by app.",
		[]string{"app"}, nil)
)

// requestCollector exposes the request counters of every app.
type requestCollector struct{ m *Metrics }

// Describe sends the request metrics' descriptions.
func (requestCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descDuration, descBytesIn, descBytesOut, descInFlight} {
		ch <- d
	}
}

// Collect sends the request metrics of every app.
func (c requestCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range *c.m.apps.Load() {
		for i := range s.codes {
			ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(s.codes[i].Load()), s.label, codeLabels[i])
		}
		ch <- s.histogram()
		ch <- prometheus.MustNewConstMetric(descBytesIn, prometheus.CounterValue, float64(s.bytesIn.Load()), s.label)
		ch <- prometheus.MustNewConstMetric(descBytesOut, prometheus.CounterValue, float64(s.bytesOut.Load()), s.label)
		if s.label != Unrouted { // the proxy counts only routed requests in flight
			ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(max(s.inFlight.Load(), 0)), s.label)
		}
	}
}

// histogram returns the app's latency histogram, with cumulative counts.
func (s *appStats) histogram() prometheus.Metric {
	buckets := make(map[float64]uint64, len(latencyBounds))
	var total uint64
	for i, b := range latencyBounds {
		total += s.latency[i].Load()
		buckets[b.Seconds()] = total
	}
	total += s.latency[len(latencyBounds)].Load()
	sum := time.Duration(s.nanos.Load()).Seconds()
	return prometheus.MustNewConstHistogram(descDuration, total, sum, buckets, s.label)
}

var descCertExpiry = prometheus.NewDesc("quayside_certificate_expiry_timestamp_seconds",
	"When the TLS certificate of a host expires, in seconds since the Unix epoch.",
	[]string{"host"}, nil)

// certCollector exposes certificate expiry times from a func called at
// every scrape.
type certCollector struct{ expiry func() map[string]time.Time }

// Describe sends the certificate metric's description.
func (certCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descCertExpiry }

// Collect sends the expiry of every certificate.
func (c certCollector) Collect(ch chan<- prometheus.Metric) {
	if c.expiry == nil {
		return
	}
	for host, t := range c.expiry() {
		ch <- prometheus.MustNewConstMetric(descCertExpiry, prometheus.GaugeValue, float64(t.Unix()), host)
	}
}
