package cnb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
)

// Isolator runs a build in another process (builder/worker.Runner): it
// hands config (a WorkerConfig) and req to a process that makes a Builder
// with NewWorker and calls its Build, and returns that Build's result.
type Isolator interface {
	Build(ctx context.Context, config any, req engine.BuildRequest) (*engine.Image, error)
}

// workerSlack is how much longer than BuildTimeout the daemon waits for a
// build process before it stops it: the process keeps the timeout itself.
var workerSlack = 2 * time.Minute

// WorkerConfig is what a build process needs of the daemon's Config, and
// nothing more: no store, no keys.
type WorkerConfig struct {
	DockerHost     string        `json:"docker_host"`
	Instance       string        `json:"instance"`
	DefaultBuilder string        `json:"default_builder,omitempty"`
	LifecycleImage string        `json:"lifecycle_image"`
	Memory         int64         `json:"memory,omitempty"`
	BuildTimeout   time.Duration `json:"build_timeout"`
	PullTimeout    time.Duration `json:"pull_timeout"`
	TempDir        string        `json:"temp_dir"`
	Subnets        string        `json:"subnets"`
	// Chosen and ChosenHow are the daemon's resolved default builder and
	// how it was chosen (see Resolve), "" when the app names its own, so
	// the process does not resolve (and perhaps pull) again.
	Chosen    string `json:"chosen,omitempty"`
	ChosenHow string `json:"chosen_how,omitempty"`
}

// workerConfig is the WorkerConfig of b.
func (b *Builder) workerConfig() WorkerConfig {
	return WorkerConfig{
		DockerHost: b.cli.DaemonHost(), Instance: b.cfg.Instance, DefaultBuilder: b.cfg.DefaultBuilder,
		LifecycleImage: b.cfg.LifecycleImage, Memory: b.cfg.Memory, BuildTimeout: b.cfg.BuildTimeout,
		PullTimeout: b.cfg.PullTimeout, TempDir: b.cfg.TempDir, Subnets: b.cfg.Subnets.String(),
	}
}

// NewWorker returns the Builder of a build process, configured by the
// JSON of a WorkerConfig, with a Docker client of its own (close closes
// it). Its Build runs in the calling process.
func NewWorker(_ context.Context, config json.RawMessage, log *slog.Logger) (*Builder, func(), error) {
	var wc WorkerConfig
	if err := json.Unmarshal(config, &wc); err != nil {
		return nil, nil, fmt.Errorf("decode worker config: %w", err)
	}
	pool, err := subnetpool.Parse(wc.Subnets)
	if err != nil {
		return nil, nil, fmt.Errorf("decode worker config: %w", err)
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithHost(wc.DockerHost), client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, nil, fmt.Errorf("create docker client: %w", err)
	}
	b := New(Config{
		Docker: cli, Instance: wc.Instance, DefaultBuilder: wc.DefaultBuilder, LifecycleImage: wc.LifecycleImage,
		Logger: log, Memory: wc.Memory, BuildTimeout: wc.BuildTimeout, PullTimeout: wc.PullTimeout,
		TempDir: wc.TempDir, Subnets: pool,
	})
	if wc.Chosen != "" {
		b.chosen = &choice{image: wc.Chosen, how: wc.ChosenHow}
	}
	return b, func() { _ = cli.Close() }, nil
}

// buildIsolated runs the build through the Isolator. The server's default
// builder is resolved here (and remembered, as for a build in process),
// so its errors are the same. A build that fails for any reason leaves
// no container or network of the app's build behind, even when its
// process was killed before pack could remove them.
func (b *Builder) buildIsolated(ctx context.Context, req engine.BuildRequest) (*engine.Image, error) {
	wc := b.workerConfig()
	if req.BuilderImage == "" {
		img, how, err := b.Resolve(ctx)
		if err != nil {
			return nil, err
		}
		wc = wc.withChosen(&choice{image: img, how: how})
	}
	wctx, cancel := context.WithTimeoutCause(ctx, b.cfg.BuildTimeout+workerSlack, errTimedOut)
	defer cancel()
	img, err := b.cfg.Isolator.Build(wctx, wc, req)
	if err == nil {
		return img, nil
	}
	b.cleanUpStopped(req.App)
	if ctx.Err() == nil && errors.Is(context.Cause(wctx), errTimedOut) {
		return nil, failed(fmt.Sprintf("the build ran longer than its timeout of %s and did not stop", b.cfg.BuildTimeout), "")
	}
	return nil, err
}

// removeAppLeftovers removes the build containers and networks of app.
func (b *Builder) removeAppLeftovers(app string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
	defer cancel()
	return b.removeLeftovers(ctx, LabelBuildApp+"="+app)
}

// withChosen is wc with the resolved default builder c (nil for none).
func (wc WorkerConfig) withChosen(c *choice) WorkerConfig {
	if c != nil {
		wc.Chosen, wc.ChosenHow = c.image, c.how
	}
	return wc
}
