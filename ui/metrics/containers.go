package metrics

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quayside/quayside/engine"
)

var (
	descCPU = prometheus.NewDesc("quayside_container_cpu_usage_ratio",
		"CPU time an app container used per second at the last sample: 1 is one CPU busy, 2 two CPUs.",
		[]string{"app", "process"}, nil)
	descMemory = prometheus.NewDesc("quayside_container_memory_bytes",
		"Memory an app container used at the last sample, without the page cache.",
		[]string{"app", "process"}, nil)
	descRestarts = prometheus.NewDesc("quayside_container_restarts_total",
		"Times Docker restarted an app container; it starts again from 0 when a deploy replaces the container.",
		[]string{"app", "process"}, nil)
)

// containerSamples is the last sample of the app containers.
type containerSamples struct {
	mu      sync.Mutex
	last    []engine.ContainerSample
	failing bool // the last sample failed; logged once until one works
}

// usage is an app's resource use, summed over its containers.
type usage struct{ cpuPercent, memoryBytes float64 }

// sample reads the containers through s, at most for one Resolution. A
// failed sample leaves no figures rather than stale ones; one that ran out
// of time keeps those of the containers it read.
func (m *Metrics) sample(ctx context.Context, s Sampler) {
	if s == nil {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, m.every)
	defer cancel()
	got, err := s.SampleContainers(sctx)
	if ctx.Err() != nil {
		return // Run is stopping
	}
	m.samples.set(merge(got), err, m.log)
}

// set keeps got as the last sample and logs a change between failing and
// working. A sample that failed part way (it ran out of time) keeps the
// containers it did read: they are fresh, and the others show no figures
// rather than stale ones. The slice is replaced, never changed in place,
// so a scrape may read it without the lock.
func (c *containerSamples) set(got []engine.ContainerSample, err error, log *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil && !c.failing:
		log.Warn("sample containers: container figures are missing until it works again", "err", err, "containers_read", len(got))
	case err == nil && c.failing:
		log.Info("sample containers works again")
	}
	c.failing = err != nil
	c.last = got
}

// merge returns samples with one entry per app and process: while a
// deploy replaces a container, the old and the new one ("web.1" of two
// releases) are both running. Their CPU and memory add up; the restarts
// are the newest release's.
func merge(samples []engine.ContainerSample) []engine.ContainerSample {
	type key struct{ app, process string }
	at := make(map[key]int, len(samples))
	out := make([]engine.ContainerSample, 0, len(samples))
	for _, s := range samples {
		k := key{s.App, s.Process}
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, s)
			continue
		}
		m := &out[i]
		m.CPUPercent += s.CPUPercent
		m.MemoryBytes += s.MemoryBytes
		if s.Release > m.Release {
			m.Release, m.Restarts = s.Release, s.Restarts
		}
	}
	return out
}

// byApp returns each app's use in the last sample.
func (c *containerSamples) byApp() map[string]usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]usage)
	for _, s := range c.last {
		u := out[s.App]
		u.cpuPercent += s.CPUPercent
		u.memoryBytes += float64(s.MemoryBytes)
		out[s.App] = u
	}
	return out
}

// ContainerUse returns what app's containers used at the last sample, by
// process ("web.1"); empty before the first sample or after a failed one.
func (m *Metrics) ContainerUse(app string) map[string]engine.ContainerSample {
	m.samples.mu.Lock()
	last := m.samples.last
	m.samples.mu.Unlock()
	out := map[string]engine.ContainerSample{}
	for _, s := range last {
		if s.App == app {
			out[s.Process] = s
		}
	}
	return out
}

// drop forgets app's containers.
func (c *containerSamples) drop(app string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.last[:0:0]
	for _, s := range c.last {
		if s.App != app {
			kept = append(kept, s)
		}
	}
	c.last = kept
}

// containerCollector exposes the last sample of the app containers.
type containerCollector struct{ c *containerSamples }

// Describe sends the container metrics' descriptions.
func (containerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descCPU
	ch <- descMemory
	ch <- descRestarts
}

// Collect sends the figures of every container in the last sample.
func (cc containerCollector) Collect(ch chan<- prometheus.Metric) {
	cc.c.mu.Lock()
	last := cc.c.last
	cc.c.mu.Unlock()
	for _, s := range last {
		ch <- prometheus.MustNewConstMetric(descCPU, prometheus.GaugeValue, s.CPUPercent/100, s.App, s.Process)
		ch <- prometheus.MustNewConstMetric(descMemory, prometheus.GaugeValue, float64(s.MemoryBytes), s.App, s.Process)
		ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(s.Restarts), s.App, s.Process)
	}
}
