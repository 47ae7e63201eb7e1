package cnb

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/quayside/quayside/engine"
)

// Labels the buildpacks tooling puts on images.
const (
	labelBuilderMetadata = "io.buildpacks.builder.metadata"
	labelBuilderOrder    = "io.buildpacks.buildpack.order"
	labelBuildpackLayers = "io.buildpacks.buildpack.layers"
	labelBuildMetadata   = "io.buildpacks.build.metadata"
)

// processDir holds, in images exported with Platform API 0.10 or later,
// one launcher entry per process type.
const processDir = "/cnb/process/"

// buildpackInfo describes one buildpack of a builder.
type buildpackInfo struct {
	ID          string `json:"id"`
	Version     string `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// builderInfo is what a builder image's labels say about it.
type builderInfo struct {
	// RunImage is the image apps run on, "" if the labels do not say.
	RunImage string
	// Buildpacks are the buildpacks the builder tries, in its order.
	Buildpacks []buildpackInfo
}

// builderMetadata is the part of io.buildpacks.builder.metadata read here.
type builderMetadata struct {
	Buildpacks []buildpackInfo `json:"buildpacks"`
	Stack      struct {
		RunImage struct {
			Image string `json:"image"`
		} `json:"runImage"`
	} `json:"stack"`
	Images []struct {
		Image string `json:"image"`
	} `json:"images"`
}

// builderOrder is io.buildpacks.buildpack.order.
type builderOrder []struct {
	Group []struct {
		ID      string `json:"id"`
		Version string `json:"version"`
	} `json:"group"`
}

// parseBuilderInfo reads a builder image's labels. Labels that are missing
// or malformed leave their part empty.
func parseBuilderInfo(labels map[string]string) builderInfo {
	var md builderMetadata
	_ = json.Unmarshal([]byte(labels[labelBuilderMetadata]), &md)
	var info builderInfo
	if len(md.Images) > 0 {
		info.RunImage = md.Images[0].Image
	} else {
		info.RunImage = md.Stack.RunImage.Image
	}
	var order builderOrder
	if json.Unmarshal([]byte(labels[labelBuilderOrder]), &order) != nil || len(order) == 0 {
		info.Buildpacks = md.Buildpacks
		return info
	}
	names := layerNames(labels[labelBuildpackLayers])
	for _, g := range order {
		for _, el := range g.Group {
			if slices.ContainsFunc(info.Buildpacks, func(bp buildpackInfo) bool { return bp.ID == el.ID }) {
				continue
			}
			bp := findBuildpack(md.Buildpacks, el.ID, el.Version)
			if bp.Name == "" {
				bp.Name = names[el.ID]
			}
			info.Buildpacks = append(info.Buildpacks, bp)
		}
	}
	return info
}

// findBuildpack returns the builder's entry for id (at version, when
// given), or one with only the ID and version.
func findBuildpack(bps []buildpackInfo, id, version string) buildpackInfo {
	for _, bp := range bps {
		if bp.ID == id && (version == "" || bp.Version == version) {
			return bp
		}
	}
	return buildpackInfo{ID: id, Version: version}
}

// layerNames maps buildpack IDs to their names in
// io.buildpacks.buildpack.layers ({id: {version: {name: ...}}}).
func layerNames(label string) map[string]string {
	var layers map[string]map[string]struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal([]byte(label), &layers)
	names := map[string]string{}
	for id, versions := range layers {
		for _, v := range versions {
			if v.Name != "" {
				names[id] = v.Name
			}
		}
	}
	return names
}

// describe says what a buildpack is, for a user: its description when it
// has one, else its name.
func (bp buildpackInfo) describe() string {
	switch {
	case bp.Description != "":
		return bp.ID + ": " + bp.Description
	case bp.Name != "" && bp.Name != bp.ID:
		return bp.ID + " (" + bp.Name + ")"
	default:
		return bp.ID
	}
}

// parseProcesses returns the process types of a built image from its
// io.buildpacks.build.metadata label, each started through its launcher
// entry /cnb/process/<type>, in the label's order. A missing or malformed
// label gives none.
func parseProcesses(label string) []engine.Process {
	var md struct {
		Processes []struct {
			Type    string          `json:"type"`
			Command json.RawMessage `json:"command"`
			Args    []string        `json:"args"`
		} `json:"processes"`
	}
	if json.Unmarshal([]byte(label), &md) != nil {
		return nil
	}
	var ps []engine.Process
	for _, p := range md.Processes {
		if !validProcessType(p.Type) || slices.ContainsFunc(ps, func(q engine.Process) bool { return q.Type == p.Type }) {
			continue
		}
		ps = append(ps, engine.Process{Type: p.Type, Entrypoint: []string{processDir + p.Type}, Display: displayCommand(p.Command, p.Args)})
	}
	return ps
}

// displayCommand is a process's command as its buildpack declared it, for
// people: the command (a string, or a list in newer platform APIs) and its
// arguments, with a "bash -c" wrapper taken off; "" when unreadable.
func displayCommand(raw json.RawMessage, args []string) string {
	var cmd []string
	if json.Unmarshal(raw, &cmd) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil || one == "" {
			return ""
		}
		cmd = []string{one}
	}
	if len(cmd) == 3 && len(args) == 0 && (cmd[0] == "bash" || cmd[0] == "sh") && cmd[1] == "-c" {
		return cmd[2]
	}
	return strings.Join(append(cmd, args...), " ")
}

// validProcessType reports whether t is a process type the lifecycle
// accepts (letters, digits, ".", "_", "-") and so a safe file name.
func validProcessType(t string) bool {
	if t == "" || t == "." || t == ".." {
		return false
	}
	for _, r := range t {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
