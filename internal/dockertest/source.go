package dockertest

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/quayside/quayside/engine"
)

// DirSource is an engine.Source over a directory, standing for a commit's
// tree. Archive stops writing once its context ends.
type DirSource struct{ Dir string }

var _ engine.Source = DirSource{}

// Archive implements engine.Source.
func (s DirSource) Archive(ctx context.Context, w io.Writer) error {
	tw := tar.NewWriter(ctxWriter{ctx, w})
	if err := tw.AddFS(os.DirFS(s.Dir)); err != nil {
		return err
	}
	return tw.Close()
}

// ReadFile implements engine.Source.
func (s DirSource) ReadFile(_ context.Context, path string) ([]byte, error) {
	if !fs.ValidPath(path) {
		return nil, engine.Errorf(engine.EINVALID, "bad path %q", path)
	}
	b, err := fs.ReadFile(os.DirFS(s.Dir), path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, engine.Errorf(engine.ENOTFOUND, "%s not found", path)
	}
	return b, err
}

// ctxWriter fails writes once ctx has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
