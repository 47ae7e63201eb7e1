package dockerfile

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/quayside/quayside/engine"
)

// maxDockerfile bounds the Dockerfile read for the checks.
const maxDockerfile = 4 << 20

// errFound stops the archive once the Dockerfile has been read.
var errFound = errors.New("dockerfile found")

// archivedDockerfile returns the Dockerfile as the daemon will receive it:
// from the commit's archive, not its blob, since the archive applies the
// commit's own .gitattributes (export-subst rewrites the file, and
// export-ignore drops it). It is ENOTFOUND when the archive has no regular
// file named Dockerfile at its root.
func archivedDockerfile(ctx context.Context, src engine.Source) ([]byte, error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := src.Archive(actx, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	df, err := findDockerfile(pr)
	pr.CloseWithError(errFound)
	cancel()
	archiveErr := <-done
	var e *engine.Error
	if err == nil || errors.As(err, &e) {
		return df, err
	}
	if archiveErr != nil && !pipeClosed(archiveErr) && !errors.Is(archiveErr, errFound) {
		if errors.As(archiveErr, &e) {
			return nil, e
		}
		return nil, fmt.Errorf("archive source: %w", archiveErr)
	}
	return nil, err
}

// findDockerfile reads a tar stream up to its root Dockerfile.
func findDockerfile(r io.Reader) ([]byte, error) {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, engine.Errorf(engine.ENOTFOUND, "no Dockerfile in the archive")
		}
		if err != nil {
			return nil, fmt.Errorf("read source archive: %w", err)
		}
		if path.Clean(hdr.Name) != "Dockerfile" {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, engine.Errorf(engine.EINVALID, "the Dockerfile is not a regular file (a symbolic link?): commit the Dockerfile itself at the root of the repository")
		}
		df, err := io.ReadAll(io.LimitReader(tr, maxDockerfile+1))
		if err != nil {
			return nil, fmt.Errorf("read source archive: %w", err)
		}
		if len(df) > maxDockerfile {
			return nil, engine.Errorf(engine.EINVALID, "the Dockerfile is larger than %d MiB", maxDockerfile>>20)
		}
		return df, nil
	}
}
