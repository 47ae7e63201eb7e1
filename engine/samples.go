package engine

import (
	"context"
	"fmt"
	"sync"
	"time"
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

// Bounds of SampleContainers.
const (
	// sampleWorkers is how many containers are read at once: enough that
	// hundreds of containers are read within a few seconds, few enough
	// that Docker keeps answering everything else.
	sampleWorkers = 8
	// sampleTimeout bounds the reading of one container: a container whose
	// stats do not come in time is left out of the sample, not the others.
	sampleTimeout = 3 * time.Second
)

// SampleContainers reads the resource use of every running app container,
// sampleWorkers at a time. It is the engine's own work: no identity is
// checked. A container that stops while it is read, or whose reading
// fails or takes longer than sampleTimeout, is left out; when ctx ends,
// the readings taken so far are returned with ctx's error. The result is
// in the order of Runtime.Containers. Without a runtime that samples stats
// it returns nothing.
func (e *Engine) SampleContainers(ctx context.Context) ([]ContainerSample, error) {
	lf, ok := e.cfg.Runtime.(LogFollower)
	if !ok {
		return nil, nil
	}
	cs, err := e.cfg.Runtime.Containers(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var running []*Container
	for _, c := range cs {
		if c.Running {
			running = append(running, c)
		}
	}
	got := readSamples(ctx, lf, running)
	out := make([]ContainerSample, 0, len(got))
	for _, s := range got {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, ctx.Err()
}

// readSamples reads cs with sampleWorkers goroutines; the sample of cs[i]
// is at i, nil when it could not be read. It returns when every container
// is read or ctx ends (the workers still reading stop with ctx).
func readSamples(ctx context.Context, lf LogFollower, cs []*Container) []*ContainerSample {
	out := make([]*ContainerSample, len(cs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(sampleWorkers, len(cs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = readSample(ctx, lf, cs[i])
			}
		}()
	}
feed:
	for i := range cs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return out
}

// readSample reads one container within sampleTimeout; nil if it cannot.
func readSample(ctx context.Context, lf LogFollower, c *Container) *ContainerSample {
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	st, err := lf.Stats(ctx, c.ID)
	if err != nil {
		return nil
	}
	return &ContainerSample{
		App: c.App, Process: fmt.Sprintf("%s.%d", c.Process, c.Replica),
		Release: c.Release, Restarts: c.RestartCount, ContainerStats: st,
	}
}
