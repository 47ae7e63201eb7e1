package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/quayside/quayside/engine"
)

// statsInterval is how far apart the two readings are when the daemon
// gives no previous reading to compare with.
const statsInterval = 500 * time.Millisecond

// Stats implements engine.LogFollower: one sample of the container's
// resource use, computed as docker stats does. CPUPercent is the container's
// share of the CPU time the machine spent between two readings, times the
// online CPUs, times 100; MemoryBytes is the memory usage less inactive
// file pages (cgroup v1 total_inactive_file, v2 inactive_file); MemoryLimit
// is the container's limit, or the machine's memory when it has none.
//
// It asks for a one-shot reading. When the daemon answers with no previous
// reading (Engine 20.10 does), the CPU is measured against this Runtime's
// own last reading of the container, so a container sampled every few
// seconds costs one read; the first time, the daemon is asked again after
// statsInterval, so that Stats takes about half a second. A container that is
// not running has a zero sample (Time set). A missing container, or one of
// another instance, is ENOTFOUND; an unreachable daemon is EUNAVAILABLE.
func (r *Runtime) Stats(ctx context.Context, id string) (engine.ContainerStats, error) {
	id, err := r.ownedID(ctx, id)
	if err != nil {
		return engine.ContainerStats{}, err
	}
	cur, prev, err := r.readings(ctx, id)
	if err != nil {
		return engine.ContainerStats{}, err
	}
	if cur.Read.IsZero() {
		return engine.ContainerStats{Time: time.Now()}, nil
	}
	return engine.ContainerStats{
		Time:        cur.Read,
		CPUPercent:  cpuPercent(cur.CPUStats, prev),
		MemoryBytes: memoryUsed(cur.MemoryStats),
		MemoryLimit: cur.MemoryStats.Limit,
	}, nil
}

// ownedID returns the full id of container id if it is this instance's. A
// container read before (its full id is in the CPU memo, which only
// holds containers found to be ours) needs no inspect: its labels cannot
// have changed.
func (r *Runtime) ownedID(ctx context.Context, id string) (string, error) {
	if r.cpu.known(id) {
		return id, nil
	}
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return "", err
	}
	return info.ID, nil
}

// readings returns a reading of container id and the CPU part of the one
// before it: the daemon's; else this Runtime's own previous reading of the
// container (see cpuMemo), so that regular sampling takes one read per
// container; else, the first time, the first of two readings
// statsInterval apart.
func (r *Runtime) readings(ctx context.Context, id string) (container.StatsResponse, container.CPUStats, error) {
	cur, err := r.readStats(ctx, id)
	if err != nil || cur.Read.IsZero() || (!cur.PreRead.IsZero() && cur.PreCPUStats.SystemUsage != 0) {
		return cur, cur.PreCPUStats, err
	}
	if prev, ok := r.cpu.swap(id, cur.CPUStats, cur.Read); ok {
		return cur, prev, nil
	}
	select {
	case <-ctx.Done():
		return cur, cur.PreCPUStats, ctx.Err()
	case <-time.After(statsInterval):
	}
	next, err := r.readStats(ctx, id)
	if err == nil && !next.Read.IsZero() {
		r.cpu.swap(id, next.CPUStats, next.Read)
	}
	return next, cur.CPUStats, err
}

// cpuMemo keeps the CPU part of the last reading of each container, for
// the next reading to compare with. Entries older than cpuMemoTTL are
// neither used nor kept: a container that is gone is forgotten within
// about that time, so the memo holds at most the containers sampled lately.
type cpuMemo struct {
	mu     sync.Mutex
	last   map[string]cpuMark
	pruned time.Time
}

// cpuMark is one remembered reading.
type cpuMark struct {
	cpu container.CPUStats
	at  time.Time
}

// cpuMemoTTL is how long a reading stays usable as the previous one.
const cpuMemoTTL = 5 * time.Minute

// swap remembers cpu, read at at, as container id's last reading and
// returns the one before it if it is usable: recent, and older than cpu by
// some system time (a counter that went back means another container or a
// restarted machine).
func (m *cpuMemo) swap(id string, cpu container.CPUStats, at time.Time) (container.CPUStats, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last == nil {
		m.last = map[string]cpuMark{}
	}
	prev, ok := m.last[id]
	m.last[id] = cpuMark{cpu: cpu, at: at}
	m.prune(at)
	ok = ok && at.Sub(prev.at) < cpuMemoTTL && prev.at.Before(at) && prev.cpu.SystemUsage < cpu.SystemUsage
	return prev.cpu, ok
}

// known reports whether the memo holds a reading of the container with
// the full id id.
func (m *cpuMemo) known(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.last[id]
	return ok
}

// prune drops readings older than cpuMemoTTL, at most once a minute.
func (m *cpuMemo) prune(now time.Time) {
	if now.Sub(m.pruned) < time.Minute {
		return
	}
	m.pruned = now
	for id, mark := range m.last {
		if now.Sub(mark.at) >= cpuMemoTTL {
			delete(m.last, id)
		}
	}
}

// readStats takes one one-shot reading of container id (a full id).
// Read is zero when the container is not running.
func (r *Runtime) readStats(ctx context.Context, id string) (container.StatsResponse, error) {
	var s container.StatsResponse
	r.statsReads.Add(1)
	resp, err := r.cli.ContainerStatsOneShot(ctx, id)
	if isNotFound(err) {
		return s, notFound(id)
	}
	if err != nil {
		return s, r.wrap("read container stats", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		if ctx.Err() != nil {
			return s, ctx.Err()
		}
		return s, fmt.Errorf("decode container stats: %w", err)
	}
	return s, nil
}

// cpuPercent is the CPU use between prev and cur as docker stats shows
// it: 100 per CPU kept busy. Readings that did not move give 0.
func cpuPercent(cur, prev container.CPUStats) float64 {
	cpuDelta := float64(cur.CPUUsage.TotalUsage) - float64(prev.CPUUsage.TotalUsage)
	systemDelta := float64(cur.SystemUsage) - float64(prev.SystemUsage)
	cpus := float64(cur.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(cur.CPUUsage.PercpuUsage))
	}
	if cpuDelta <= 0 || systemDelta <= 0 {
		return 0
	}
	return cpuDelta / systemDelta * cpus * 100
}

// memoryUsed is the memory usage less inactive file pages, as docker stats
// shows it: cgroup v1 reports them as total_inactive_file, v2 as
// inactive_file.
func memoryUsed(m container.MemoryStats) uint64 {
	if v, ok := m.Stats["total_inactive_file"]; ok && v < m.Usage {
		return m.Usage - v
	}
	if v := m.Stats["inactive_file"]; v < m.Usage {
		return m.Usage - v
	}
	return m.Usage
}
