package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"
)

// BuildImage builds files (a Dockerfile and what it copies, all made
// executable) with the classic builder as tag with labels. It fails on any
// build error, including one reported in the build's output stream.
func BuildImage(ctx context.Context, cli client.APIClient, tag string, labels map[string]string, files map[string][]byte) error {
	ctxTar, err := tarOf(files)
	if err != nil {
		return err
	}
	resp, err := cli.ImageBuild(ctx, ctxTar, build.ImageBuildOptions{
		Version: build.BuilderV1, Tags: []string{tag}, Labels: labels, Remove: true, ForceRemove: true,
	})
	if err != nil {
		return fmt.Errorf("build %s: %w", tag, err)
	}
	defer resp.Body.Close()
	return buildResult(tag, resp.Body)
}

// buildResult reads a build's JSON message stream to its end and returns
// the first error it reports.
func buildResult(tag string, body io.Reader) error {
	dec := json.NewDecoder(body)
	for {
		var m struct{ Error string }
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("build %s: read output: %w", tag, err)
		}
		if m.Error != "" {
			return fmt.Errorf("build %s: %s", tag, m.Error)
		}
	}
}

// tarOf makes an uncompressed tar of files, all executable.
func tarOf(files map[string][]byte) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		hdr := &tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("tar %s: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("tar %s: %w", name, err)
		}
	}
	return &buf, tw.Close()
}
