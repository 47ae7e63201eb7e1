package cnb

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	packimage "github.com/buildpacks/pack/pkg/image"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// inspectBuilder reads what the builder image's labels say about it.
func (b *Builder) inspectBuilder(ctx context.Context, builder string) (builderInfo, error) {
	info, err := b.cli.ImageInspect(ctx, builder)
	if err != nil {
		return builderInfo{}, b.wrap("inspect builder "+builder, err)
	}
	if info.Config == nil {
		return builderInfo{}, nil
	}
	return parseBuilderInfo(info.Config.Labels), nil
}

// pullPolicy is never when the builder's run image is in the daemon (or
// the builder does not name one), so nothing is pulled; if-not-present
// otherwise, which pulls the run image of a public builder.
func (b *Builder) pullPolicy(ctx context.Context, info builderInfo) (packimage.PullPolicy, error) {
	if info.RunImage == "" {
		return packimage.PullNever, nil
	}
	ok, err := b.images.Exists(ctx, info.RunImage)
	switch {
	case err != nil:
		return 0, err
	case ok:
		return packimage.PullNever, nil
	default:
		return packimage.PullIfNotPresent, nil
	}
}

// previousImage returns the tag of the app's latest release image built
// before release, whose layers the lifecycle may reuse; "" when there is
// none.
func (b *Builder) previousImage(ctx context.Context, app string, release int) (string, error) {
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+b.cfg.Instance), filters.Arg("label", dockernames.LabelApp+"="+app),
		filters.Arg("label", labelBuildMetadata))
	imgs, err := b.cli.ImageList(ctx, image.ListOptions{Filters: f})
	if err != nil {
		return "", b.wrap("list images", err)
	}
	best, prev := 0, ""
	for _, img := range imgs {
		n, err := strconv.Atoi(img.Labels[dockernames.LabelRelease])
		tag := dockernames.ImageTag(b.cfg.Instance, app, n)
		if err != nil || n >= release || n <= best || !slices.Contains(img.RepoTags, tag) {
			continue
		}
		best, prev = n, tag
	}
	return prev, nil
}

// labelImage makes the release image: pack's image with the release's
// labels and nothing else, built by the classic builder FROM pack's image
// (by ID, never pulled) and tagged ImageTag. It returns its ID.
func (b *Builder) labelImage(ctx context.Context, req engine.BuildRequest, from string) (string, error) {
	src, err := b.cli.ImageInspect(ctx, from)
	if err != nil {
		return "", b.wrap("inspect built image", err)
	}
	buildCtx, err := dockerfileTar("FROM " + src.ID + "\n")
	if err != nil {
		return "", err
	}
	resp, err := b.cli.ImageBuild(ctx, buildCtx, build.ImageBuildOptions{
		Version: build.BuilderV1, Dockerfile: "Dockerfile", Remove: true, ForceRemove: true,
		Tags:   []string{dockernames.ImageTag(b.cfg.Instance, req.App, req.Release)},
		Labels: dockernames.ImageLabels(b.cfg.Instance, req.App, req.Release),
	})
	if err != nil {
		return "", b.wrap("label image", err)
	}
	defer resp.Body.Close()
	return labelResult(resp.Body)
}

// labelResult reads a classic build's JSON stream to its end and returns
// the image ID it reports, or the error it reports.
func labelResult(r io.Reader) (string, error) {
	dec := json.NewDecoder(r)
	id := ""
	for {
		var m struct {
			Error string          `json:"error"`
			Aux   json.RawMessage `json:"aux"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("label image: read output: %w", err)
		}
		if m.Error != "" {
			return "", fmt.Errorf("label image: %s", m.Error)
		}
		var aux struct{ ID string }
		if len(m.Aux) > 0 && json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
			id = aux.ID
		}
	}
	if id == "" {
		return "", errors.New("label image: the build reported no image ID")
	}
	return id, nil
}

// dockerfileTar is a build context holding only a Dockerfile.
func dockerfileTar(dockerfile string) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile)), Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("make build context: %w", err)
	}
	if _, err := io.WriteString(tw, dockerfile); err != nil {
		return nil, fmt.Errorf("make build context: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("make build context: %w", err)
	}
	return &buf, nil
}

// image describes the release image id: its buildpack process types.
func (b *Builder) image(ctx context.Context, id string) (*engine.Image, error) {
	info, err := b.cli.ImageInspect(ctx, id)
	if err != nil {
		return nil, b.wrap("inspect built image", err)
	}
	img := &engine.Image{Ref: info.ID, Method: MethodName}
	if info.Config != nil {
		img.Processes = parseProcesses(info.Config.Labels[labelBuildMetadata])
	}
	return img, nil
}
