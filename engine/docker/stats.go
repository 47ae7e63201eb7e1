package docker

import (
	"context"
	"encoding/json"
	"fmt"
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
// It asks for a one-shot reading; a daemon that answers one-shot with no
// previous reading (Engine 20.10 does) gets asked again after
// statsInterval, so Stats takes about half a second. A container that is
// not running has a zero sample (Time set). A missing container, or one of
// another instance, is ENOTFOUND; an unreachable daemon is EUNAVAILABLE.
func (r *Runtime) Stats(ctx context.Context, id string) (engine.ContainerStats, error) {
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return engine.ContainerStats{}, err
	}
	cur, prev, err := r.readings(ctx, info.ID)
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

// readings returns a reading of container id and the CPU part of the one
// before it: the daemon's, or, when it gave none, the first of two
// readings statsInterval apart.
func (r *Runtime) readings(ctx context.Context, id string) (container.StatsResponse, container.CPUStats, error) {
	cur, err := r.readStats(ctx, id)
	if err != nil || cur.Read.IsZero() || (!cur.PreRead.IsZero() && cur.PreCPUStats.SystemUsage != 0) {
		return cur, cur.PreCPUStats, err
	}
	select {
	case <-ctx.Done():
		return cur, cur.PreCPUStats, ctx.Err()
	case <-time.After(statsInterval):
	}
	next, err := r.readStats(ctx, id)
	return next, cur.CPUStats, err
}

// readStats takes one one-shot reading of container id (a full id).
// Read is zero when the container is not running.
func (r *Runtime) readStats(ctx context.Context, id string) (container.StatsResponse, error) {
	var s container.StatsResponse
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
