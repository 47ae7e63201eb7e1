package cnb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/quayside/quayside/engine"
)

// errExtracted closes the archive pipe once extraction stopped reading.
var errExtracted = errors.New("extraction ended")

// extract writes the commit's tree into a new private directory under
// TempDir and returns it; the caller removes it. Symbolic links it leaves
// out are named in out.
func (b *Builder) extract(ctx context.Context, req engine.BuildRequest, out *output) (string, error) {
	dir, err := os.MkdirTemp(b.cfg.TempDir, "qs-cnb-"+req.App+"-")
	if err != nil {
		return "", fmt.Errorf("make source dir: %w", err)
	}
	skipped, err := b.extractInto(ctx, req.Source, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	for _, s := range skipped {
		out.Line(" !     Leaving out the symbolic link " + s + ": it points outside the repository")
	}
	return dir, nil
}

// extractInto streams the source's archive through a pipe into dir. It
// returns only after the archiving goroutine ended.
func (b *Builder) extractInto(ctx context.Context, src engine.Source, dir string) ([]string, error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	archived := make(chan error, 1)
	go func() {
		err := src.Archive(actx, pw)
		pw.CloseWithError(err)
		archived <- err
	}()
	skipped, err := extractTree(pr, dir, b.limits)
	pr.CloseWithError(errExtracted)
	cancel()
	archiveErr := <-archived
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("extract source: %w", ctx.Err())
	case archiveErr != nil && !errors.Is(archiveErr, errExtracted) && !errors.Is(archiveErr, io.ErrClosedPipe) && !errors.Is(archiveErr, context.Canceled):
		var e *engine.Error
		if errors.As(archiveErr, &e) {
			return nil, e
		}
		return nil, fmt.Errorf("archive source: %w", archiveErr)
	}
	return skipped, err
}
