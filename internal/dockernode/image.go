package dockernode

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// cacheDir holds saved images by ID, shared by every test on the machine:
// an image is saved from the shared daemon once and loaded from the file
// into as many nodes as need it.
var cacheDir = filepath.Join(baseDir, "image-cache")

// CopyImage makes ref, an image of the shared daemon (DOCKER_HOST or the
// default socket), present in the node under the same ref. It saves the
// image by ID into a cache on disk the first time and loads it from there.
func (n *Node) CopyImage(t testing.TB, ref string) {
	t.Helper()
	ctx := context.Background()
	src, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("dockernode: client of the shared daemon: %v", err)
	}
	defer src.Close()
	if err := CopyImage(ctx, src, n.Client(), ref); err != nil {
		t.Fatalf("dockernode: %v", err)
	}
}

// CopyImage copies image ref from daemon src to daemon dst, through the
// on-disk cache, and tags it ref in dst.
func CopyImage(ctx context.Context, src, dst client.APIClient, ref string) error {
	insp, err := src.ImageInspect(ctx, ref)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", ref, err)
	}
	path, err := cachedSave(ctx, src, insp.ID)
	if err != nil {
		return err
	}
	if err := load(ctx, dst, path); err != nil {
		return err
	}
	if err := dst.ImageTag(ctx, insp.ID, ref); err != nil && ref != insp.ID {
		return fmt.Errorf("tag %s: %w", ref, err)
	}
	return nil
}

// cachedSave returns the path of the saved image id, saving it first when
// the cache does not have it. The file appears whole or not at all.
func cachedSave(ctx context.Context, src client.APIClient, id string) (string, error) {
	path := filepath.Join(cacheDir, strings.ReplaceAll(id, ":", "-")+".tar")
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // used: pruneCache keeps it
		return path, nil
	}
	pruneCache()
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return "", fmt.Errorf("make image cache: %w", err)
	}
	rc, err := src.ImageSave(ctx, []string{id})
	if err != nil {
		return "", fmt.Errorf("save %s: %w", id, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(cacheDir, "save-*")
	if err != nil {
		return "", fmt.Errorf("save %s: %w", id, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save %s: %w", id, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("save %s: %w", id, err)
	}
	return path, os.Rename(tmp.Name(), path)
}

// cacheMaxAge is how long a saved image unused by any test stays cached.
const cacheMaxAge = 3 * 24 * time.Hour

// pruneCache removes saved images no test used for cacheMaxAge, and
// partial saves of crashed tests.
func pruneCache() {
	entries, _ := os.ReadDir(cacheDir)
	for _, e := range entries {
		fi, err := e.Info()
		if err == nil && time.Since(fi.ModTime()) > cacheMaxAge {
			_ = os.Remove(filepath.Join(cacheDir, e.Name()))
		}
	}
}

// load loads a saved image into dst and reads the response to its end.
func load(ctx context.Context, dst client.APIClient, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load image: %w", err)
	}
	defer f.Close()
	resp, err := dst.ImageLoad(ctx, f, client.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("load %s: %w", filepath.Base(path), err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("load %s: %w", filepath.Base(path), err)
	}
	if strings.Contains(string(out), `"error"`) {
		return fmt.Errorf("load %s: %s", filepath.Base(path), out)
	}
	return nil
}
