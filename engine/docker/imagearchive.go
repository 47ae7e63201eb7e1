package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// Connect connects to the Docker daemon and checks it answers; EUNAVAILABLE
// says how to start it.
func Connect(ctx context.Context) (*client.Client, error) {
	cli, err := NewClient()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		return nil, engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Docker daemon (%v): is dockerd running? (systemctl start docker)", err)
	}
	return cli, nil
}

// ImageArchive saves images to and loads them from docker save archives,
// for backups (store/backup.Images).
type ImageArchive struct{}

// Save writes the images among refs that Docker still has and that
// instance made (docker save) to dst, and returns the refs saved, sorted.
// Images of other owners are never saved; with none to save, no file is
// written.
func (ImageArchive) Save(ctx context.Context, instance string, refs []string, dst string) ([]string, error) {
	cli, err := Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	kept, err := ownImages(ctx, cli, instance, refs)
	if err != nil || len(kept) == 0 {
		return nil, err
	}
	rc, err := cli.ImageSave(ctx, kept)
	if err != nil {
		return nil, fmt.Errorf("save images: %w", err)
	}
	defer rc.Close()
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("save images: %w", err)
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("save images: %w", err)
	}
	return kept, nil
}

// ownImages returns, sorted and each once, the refs that name an image
// Docker has and that carries this instance's label.
func ownImages(ctx context.Context, cli *client.Client, instance string, refs []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, ref := range refs {
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		info, err := cli.ImageInspect(ctx, ref)
		if cerrdefs.IsNotFound(err) {
			continue // pruned: the release has no image any more
		}
		if err != nil {
			return nil, fmt.Errorf("inspect image %s: %w", ref, err)
		}
		if info.Config != nil && info.Config.Labels[dockernames.LabelInstance] == instance {
			out = append(out, ref)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Load loads the images saved in src (docker load).
func (ImageArchive) Load(ctx context.Context, src string) error {
	cli, err := Connect(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("load images: %w", err)
	}
	defer f.Close()
	resp, err := cli.ImageLoad(ctx, f, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("load images: %w", err)
	}
	defer resp.Body.Close()
	return readLoadStream(resp.Body)
}

// readLoadStream reads docker load's JSON messages and returns the error
// one of them carries.
func readLoadStream(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		err := dec.Decode(&msg)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load images: %w", err)
		}
		if msg.Error != "" {
			return engine.Errorf(engine.EUNAVAILABLE, "Docker could not load the backup's images: %s", msg.Error)
		}
	}
}
