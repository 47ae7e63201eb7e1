// Command mkbuilder creates Quayside's offline Cloud Native Buildpacks builder
// image with pack used as a library. scripts/make-builder.sh runs it once the
// build and run images are in the Docker daemon and builder.toml sits next to
// the lifecycle tarball and the buildpacks it names; nothing is pulled.
//
//	mkbuilder -config STAGE/builder.toml -name quayside/builder:offline-<hash> \
//	    -build-image quayside/build:offline-<hash> -run-image quayside/run:offline-<hash>
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	pubbldr "github.com/buildpacks/pack/builder"
	"github.com/buildpacks/pack/pkg/blob"
	"github.com/buildpacks/pack/pkg/client"
	"github.com/buildpacks/pack/pkg/image"
	"github.com/buildpacks/pack/pkg/logging"
	dockerclient "github.com/docker/docker/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkbuilder:", err)
		stop()
		os.Exit(1)
	}
}

// run parses the arguments and creates the builder.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := readConfig(opts, stderr)
	if err != nil {
		return err
	}
	return createBuilder(ctx, opts, cfg, stdout, stderr)
}

// options are mkbuilder's command-line arguments.
type options struct {
	config     string
	name       string
	buildImage string
	runImage   string
}

// parseFlags reads the arguments; all four are required.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mkbuilder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "builder.toml, next to the lifecycle tarball and buildpacks it names")
	fs.StringVar(&o.name, "name", "", "name of the builder image to create")
	fs.StringVar(&o.buildImage, "build-image", "", "build image, already in the Docker daemon")
	fs.StringVar(&o.runImage, "run-image", "", "run image, already in the Docker daemon")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.config == "" || o.name == "" || o.buildImage == "" || o.runImage == "" {
		return o, errors.New("-config, -name, -build-image and -run-image are all required")
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// createBuilder hands the config to pack with Quayside's Docker client and
// never pulls.
func createBuilder(ctx context.Context, o options, cfg pubbldr.Config, stdout, stderr io.Writer) error {
	docker, err := dockerclient.NewClientWithOpts(dockerclient.FromEnv, dockerclient.WithAPIVersionNegotiation())
	if err != nil {
		return fmt.Errorf("connect to docker: %w", err)
	}
	defer docker.Close()
	cacheDir, err := os.MkdirTemp("", "mkbuilder-")
	if err != nil {
		return fmt.Errorf("create pack cache dir: %w", err)
	}
	defer os.RemoveAll(cacheDir)
	logger := logging.NewLogWithWriters(stdout, stderr)
	pack, err := client.NewClient(
		client.WithDockerClient(docker),
		client.WithLogger(logger),
		client.WithDownloader(blob.NewDownloader(logger, cacheDir)),
	)
	if err != nil {
		return fmt.Errorf("create pack client: %w", err)
	}
	base, err := filepath.Abs(filepath.Dir(o.config))
	if err != nil {
		return fmt.Errorf("resolve config dir: %w", err)
	}
	err = pack.CreateBuilder(ctx, client.CreateBuilderOptions{
		RelativeBaseDir: base,
		BuilderName:     o.name,
		Config:          cfg,
		PullPolicy:      image.PullNever,
	})
	if err != nil {
		return fmt.Errorf("create builder %s: %w", o.name, err)
	}
	fmt.Fprintf(stdout, "mkbuilder: created %s\n", o.name)
	return nil
}
