package docker

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/docker/docker/api/types/filters"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

// Labels Quayside puts on the containers it owns, besides the labels of
// internal/dockernames (LabelInstance, LabelApp, LabelRelease) that
// images, containers and networks share.
const (
	// LabelProcess holds the process type of a container ("web", ...).
	LabelProcess = "io.quayside.process"
	// LabelReplica holds the replica number of a container, from 1 (0 for
	// a one-off container).
	LabelReplica = "io.quayside.replica"
	// LabelOneOff is "true" on one-off containers (Run): they are not app
	// processes, so Containers and Events leave them out.
	LabelOneOff = "io.quayside.oneoff"
	// LabelLimits holds the limits a container was started with, as
	// "memory=BYTES cpus=NANOCPUS pids=N" (0: no cap).
	LabelLimits = "io.quayside.limits"
)

// NetworkName is the name of an app's bridge network.
func NetworkName(instance, app string) string {
	return "qs-" + instance + "-" + app
}

// containerName names a container of spec, with suffix making it unique.
func containerName(instance string, spec engine.ContainerSpec, suffix string) string {
	return fmt.Sprintf("qs-%s-%s-%s-%d-v%d-%s", instance, spec.App, spec.Process, spec.Replica, spec.Release, suffix)
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// containerLabels are the labels of a container made from spec.
func containerLabels(instance string, spec engine.ContainerSpec) map[string]string {
	return map[string]string{
		dockernames.LabelInstance: instance,
		dockernames.LabelApp:      spec.App,
		dockernames.LabelRelease:  strconv.Itoa(spec.Release),
		LabelProcess:              spec.Process,
		LabelReplica:              strconv.Itoa(spec.Replica),
		LabelLimits:               limitsLabel(spec.Limits),
	}
}

// limitsLabel is the LabelLimits value of l.
func limitsLabel(l engine.Limits) string {
	return fmt.Sprintf("memory=%d cpus=%d pids=%d", l.MemoryBytes, l.NanoCPUs, l.Pids)
}

// parseLimitsLabel reads a LabelLimits value; a missing or bad one gives
// zero limits, which no planned container has unless nothing is capped.
func parseLimitsLabel(s string) engine.Limits {
	var l engine.Limits
	if _, err := fmt.Sscanf(s, "memory=%d cpus=%d pids=%d", &l.MemoryBytes, &l.NanoCPUs, &l.Pids); err != nil {
		return engine.Limits{}
	}
	return l
}

// oneOffLabels are the labels of a one-off container made from spec.
func oneOffLabels(instance string, spec engine.ContainerSpec) map[string]string {
	labels := containerLabels(instance, spec)
	labels[LabelOneOff] = "true"
	return labels
}

// isOneOff reports whether labels mark a one-off container.
func isOneOff(labels map[string]string) bool {
	return labels[LabelOneOff] == "true"
}

// ownedBy reports whether labels mark an object of instance.
func ownedBy(labels map[string]string, instance string) bool {
	return labels[dockernames.LabelInstance] == instance
}

// scope returns filters selecting the objects of instance, and of app when
// app is not empty.
func scope(instance, app string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+instance))
	if app != "" {
		f.Add("label", dockernames.LabelApp+"="+app)
	}
	return f
}
