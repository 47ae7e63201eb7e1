package dockerfile

import (
	"context"
	"strconv"
	"strings"

	"github.com/quayside/quayside/engine"
)

// image describes the built image id.
func (b *Builder) image(ctx context.Context, id string) (*engine.Image, error) {
	info, err := b.cli.ImageInspect(ctx, id)
	if err != nil {
		return nil, b.wrap("inspect built image", err)
	}
	img := &engine.Image{Ref: info.ID, Method: "dockerfile"}
	if info.Config != nil {
		img.Port = exposedPort(info.Config.ExposedPorts)
	}
	return img, nil
}

// exposedPort returns the one TCP port of an image's EXPOSE set ("8080/tcp",
// or "8080", which means TCP), 0 when there is none or several.
func exposedPort(ports map[string]struct{}) int {
	found := 0
	for p := range ports {
		num, proto, _ := strings.Cut(p, "/")
		if proto != "" && proto != "tcp" {
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > 65535 {
			continue
		}
		if found != 0 && found != n {
			return 0
		}
		found = n
	}
	return found
}
