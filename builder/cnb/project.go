package cnb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/buildpacks/pack/pkg/logging"
	"github.com/buildpacks/pack/pkg/project"
	projecttypes "github.com/buildpacks/pack/pkg/project/types"

	"github.com/quayside/quayside/engine"
)

// envName is what a build environment variable may be called.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// readProject reads project.toml (the CNB project descriptor) at the root
// of the app's tree in dir, when there is one, and keeps what Quayside
// honours: the build env ([[build.env]]), the files the build sees
// ([build] exclude or include) and the project's metadata. Buildpacks it
// names ([[build.buildpacks]], pre and post groups) are dropped with a note
// on out: the builder's buildpacks build the app, and fetching others
// would reach the network from the server. A project.toml that does not
// parse, or names a build env variable badly, is EINVALID.
func readProject(dir string, out *output) (projecttypes.Descriptor, error) {
	path := filepath.Join(dir, "project.toml")
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return projecttypes.Descriptor{}, nil
	}
	if err != nil {
		return projecttypes.Descriptor{}, fmt.Errorf("read project.toml: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return projecttypes.Descriptor{}, engine.Errorf(engine.EINVALID, "project.toml is not a regular file (a link or a directory): commit the file itself")
	}
	d, err := project.ReadProjectDescriptor(path, logging.NewSimpleLogger(io.Discard))
	if err != nil {
		return d, engine.Errorf(engine.EINVALID, "project.toml: %s; see https://buildpacks.io/docs/reference/config/project-descriptor/", strings.TrimSpace(err.Error()))
	}
	for _, e := range d.Build.Env {
		if !envName.MatchString(e.Name) {
			return d, engine.Errorf(engine.EINVALID, "project.toml: [[build.env]] name %q is not an environment variable name: use letters, digits and underscores, not starting with a digit", e.Name)
		}
	}
	if len(d.Build.Buildpacks) > 0 || len(d.Build.Pre.Buildpacks) > 0 || len(d.Build.Post.Buildpacks) > 0 {
		out.Line("       project.toml names buildpacks: ignored, the builder's own buildpacks build the app")
		d.Build.Buildpacks, d.Build.Pre, d.Build.Post = nil, projecttypes.GroupAddition{}, projecttypes.GroupAddition{}
	}
	if d.Build.Builder != "" {
		out.Line("       project.toml names a builder: ignored, set it with `quayside builder set`")
		d.Build.Builder = ""
	}
	if n := len(d.Build.Env); n > 0 {
		out.Line("       project.toml: " + strconv.Itoa(n) + " build env variable(s)")
	}
	if len(d.Build.Exclude) > 0 || len(d.Build.Include) > 0 {
		out.Line("       project.toml: the build sees the files its [build] include/exclude select")
	}
	return d, nil
}
