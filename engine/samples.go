package engine

import (
	"context"
	"fmt"
)

// ContainerSample is one reading of a running app container: who it is,
// how often it restarted and what it uses.
type ContainerSample struct {
	App      string
	Process  string // "web.1"-style: process type and replica
	Release  int
	Restarts int
	ContainerStats
}

// SampleContainers reads the resource use of every running app container.
// It is the engine's own work: no identity is checked. A container that
// stops while it is read is left out; when ctx ends, what was read so far
// is returned with ctx's error. Without a runtime that samples
// stats it returns nothing.
func (e *Engine) SampleContainers(ctx context.Context) ([]ContainerSample, error) {
	lf, ok := e.cfg.Runtime.(LogFollower)
	if !ok {
		return nil, nil
	}
	cs, err := e.cfg.Runtime.Containers(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []ContainerSample
	for _, c := range cs {
		if !c.Running {
			continue
		}
		st, err := lf.Stats(ctx, c.ID)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err != nil {
			continue
		}
		out = append(out, ContainerSample{
			App: c.App, Process: fmt.Sprintf("%s.%d", c.Process, c.Replica),
			Release: c.Release, Restarts: c.RestartCount, ContainerStats: st,
		})
	}
	return out, nil
}
