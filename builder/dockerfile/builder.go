package dockerfile

import (
	"context"
	"log/slog"

	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
)

var _ engine.Builder = (*Builder)(nil)

// Builder builds images from a Dockerfile with the daemon's classic
// builder. Set the limit fields before the first Build; after that a
// Builder is safe for concurrent use. It does not own the client.
type Builder struct {
	// Memory caps the memory of each build step's container, in bytes,
	// swap included; 0 means unlimited.
	Memory int64
	// CPUPeriod and CPUQuota cap the CPU of each build step's container:
	// CPUQuota microseconds of CPU time per CPUPeriod microseconds (so
	// 50000/100000 is half a core); 0 means unlimited (Docker's default
	// period is 100000).
	CPUPeriod int64
	CPUQuota  int64

	cli      *client.Client
	instance string
	log      *slog.Logger
}

// New returns a Builder that builds with cli and labels its images with
// instance (the short hex id of this Quayside server). A nil logger discards.
func New(cli *client.Client, instance string, logger *slog.Logger) *Builder {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Builder{cli: cli, instance: instance, log: logger}
}

// Detect reports whether src has a file named Dockerfile at its root, the
// one thing this builder needs.
func (b *Builder) Detect(ctx context.Context, src engine.Source) (bool, error) {
	_, err := src.ReadFile(ctx, "Dockerfile")
	switch {
	case err == nil:
		return true, nil
	case engine.ErrorCode(err) == engine.ENOTFOUND:
		return false, nil
	default:
		return false, err
	}
}
