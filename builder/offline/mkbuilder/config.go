package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	pubbldr "github.com/buildpacks/pack/builder"
)

// readConfig reads builder.toml, sets the build and run images given on the
// command line, and refuses anything that would reach a network: a lifecycle
// named by version, or a buildpack, lifecycle or image that is not local.
func readConfig(o options, stderr io.Writer) (pubbldr.Config, error) {
	cfg, warnings, err := pubbldr.ReadConfig(o.config)
	if err != nil {
		return cfg, fmt.Errorf("read builder config: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "mkbuilder: warning:", w)
	}
	cfg.Stack = pubbldr.StackConfig{}
	cfg.Build.Image = o.buildImage
	cfg.Run.Images = []pubbldr.RunImageConfig{{Image: o.runImage}}
	return cfg, checkOffline(cfg)
}

// checkOffline reports the first part of cfg that pack would download.
func checkOffline(cfg pubbldr.Config) error {
	if cfg.Lifecycle.Version != "" {
		return errors.New("builder.toml names the lifecycle by version, which downloads it: name a local tarball with [lifecycle] uri")
	}
	if cfg.Lifecycle.URI == "" {
		return errors.New("builder.toml has no [lifecycle] uri: without one pack downloads the lifecycle")
	}
	if !isLocal(cfg.Lifecycle.URI) {
		return fmt.Errorf("lifecycle uri %q is not a local file", cfg.Lifecycle.URI)
	}
	for _, bp := range cfg.Buildpacks {
		if bp.ImageName != "" || !isLocal(bp.URI) {
			return fmt.Errorf("buildpack %q is not a local folder or file", bp.DisplayString())
		}
	}
	if len(cfg.Extensions) > 0 {
		return errors.New("builder.toml declares extensions; the offline builder has none")
	}
	return nil
}

// isLocal reports whether a pack URI names a file on this machine: a path,
// or a file:// URL.
func isLocal(uri string) bool {
	if uri == "" {
		return false
	}
	if strings.HasPrefix(uri, "file://") {
		return true
	}
	return !strings.Contains(uri, "://") && !strings.HasPrefix(uri, "docker:") && !strings.HasPrefix(uri, "urn:")
}
