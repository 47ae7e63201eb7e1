package cnb

import (
	"context"
	"fmt"

	"github.com/buildpacks/pack/pkg/cache"
	packclient "github.com/buildpacks/pack/pkg/client"
	packimage "github.com/buildpacks/pack/pkg/image"
	"github.com/buildpacks/pack/pkg/logging"
	projecttypes "github.com/buildpacks/pack/pkg/project/types"

	"github.com/quayside/quayside/internal/dockernames"
)

// defaultDockerHost is the socket pack mounts into the creator container
// when it is given no DockerHost.
const defaultDockerHost = "unix:///var/run/docker.sock"

// packRun is one run of pack's build.
type packRun struct {
	app        string
	dir        string // the extracted source tree
	tag        string // the image pack writes
	builder    string
	trust      trust
	pull       packimage.PullPolicy
	previous   string // an earlier image of the app, for reusing its layers; "" for none
	clearCache bool
	// env are the config variables the buildpacks see (engine.BuildRequest.Env):
	// secrets, never printed.
	env     map[string]string
	project projecttypes.Descriptor // the app's project.toml, as readProject keeps it
	out     *output
}

// runPack runs the lifecycle over the tree in r.dir, writing the image
// r.tag into the daemon, and relays pack's and the lifecycle's output to
// r.out. A trusted builder's own lifecycle runs in one creator container;
// an untrusted builder's image runs only the detector and the builder,
// which never get the Docker daemon (pack gives it to the analyzer,
// restorer and exporter of the lifecycle image, and packDocker refuses any
// other container that asks for it).
func (b *Builder) runPack(ctx context.Context, r packRun) error {
	docker := b.packDocker(r.app)
	if !r.trust.trusted {
		docker.guardDaemon(daemonSocket(b.cli.DaemonHost()))
	}
	pc, err := packclient.NewClient(
		packclient.WithLogger(logging.NewLogWithWriters(r.out, r.out)),
		packclient.WithDockerClient(docker),
	)
	if err != nil {
		return fmt.Errorf("make pack client: %w", err)
	}
	return pc.Build(ctx, b.packOptions(r))
}

// packOptions are the options of pack's build: the builder trusted or not
// as r.trust says (a trusted one's lifecycle runs from the builder image;
// an untrusted one's daemon-facing phases from r.trust.lifecycle, which is
// in the daemon), the lifecycle's own user (UserID/GroupID -1, as the pack
// CLI does), and the app's named cache volumes.
func (b *Builder) packOptions(r packRun) packclient.BuildOptions {
	trusted := r.trust.trusted
	buildCache, launchCache := dockernames.CacheVolumes(b.cfg.Instance, r.app)
	return packclient.BuildOptions{
		Image:          r.tag,
		Builder:        r.builder,
		AppPath:        r.dir,
		TrustBuilder:   func(string) bool { return trusted },
		LifecycleImage: r.trust.lifecycle,
		PullPolicy:     r.pull,
		UserID:         -1,
		GroupID:        -1,
		ClearCache:     r.clearCache,
		PreviousImage:  r.previous,
		Env:            r.env,
		// project.toml's env comes first and the app's config overrides it.
		ProjectDescriptor:        r.project,
		ProjectDescriptorBaseDir: r.dir,
		DockerHost:               packDockerHost(b.cli.DaemonHost()),
		Cache: cache.CacheOpts{
			Build:  cache.CacheInfo{Format: cache.CacheVolume, Source: buildCache},
			Launch: cache.CacheInfo{Format: cache.CacheVolume, Source: launchCache},
			Kaniko: cache.CacheInfo{Format: cache.CacheVolume, Source: kanikoVolume(b.cfg.Instance, r.app)},
		},
	}
}

// packDockerHost is the DockerHost option for a daemon at host: "" for the
// default socket, which pack mounts by default, else host (pack mounts
// another unix socket in its place, and hands other addresses on).
func packDockerHost(host string) string {
	if host == defaultDockerHost {
		return ""
	}
	return host
}

// packDocker is the Docker client pack gets for a build of app.
func (b *Builder) packDocker(app string) *packDocker {
	d := newPackDocker(b.cli, b.cfg.Memory, buildLabels(b.cfg.Instance, app))
	d.subnets = b.cfg.Subnets
	return d
}
