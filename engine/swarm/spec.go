package swarm

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/internal/dockernames"
)

// Names: services (and so their task containers) start with servicePrefix.
const (
	servicePrefix = "qsvc-"
	maxNameLen    = 63
)

// droppedCaps are the capabilities dropped from every task, as for plain
// containers (see engine/docker).
var droppedCaps = []string{"CAP_NET_RAW", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_SYS_CHROOT"}

// serviceName names the service of one replica: unique, at most 63
// characters, the app's name cut when it is long.
func serviceName(instance string, spec engine.ContainerSpec) string {
	tail := fmt.Sprintf("-%s-%d-v%d-%s", spec.Process, spec.Replica, spec.Release, randomHex(2))
	head := servicePrefix + instance + "-"
	app := spec.App
	if room := maxNameLen - len(head) - len(tail); len(app) > room {
		app = app[:max(room, 1)]
	}
	name := head + app + tail
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	return name
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NetworkName is the name of an app's overlay network.
func NetworkName(instance, app string) string {
	return "qso-" + instance + "-" + app
}

// serviceSpec is the service that runs the replica spec: one task, on the
// app's overlay network net, restarted whenever it exits, its port
// published in host mode on a random port of its node, with the limits,
// capabilities and log caps of a plain container.
func serviceSpec(instance string, spec engine.ContainerSpec, image, net string, grace time.Duration) swarm.ServiceSpec {
	labels := docker.Labels(instance, spec)
	one := uint64(1)
	useInit := true
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: serviceName(instance, spec), Labels: labels},
		Mode:        swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image: image, Command: spec.Entrypoint, Args: spec.Cmd, Env: envList(spec.Env),
				Labels: labels, Init: &useInit, StopGracePeriod: &grace,
				CapabilityDrop: slices.Clone(droppedCaps),
				Privileges:     &swarm.Privileges{NoNewPrivileges: true},
				Mounts:         []mount.Mount{},
			},
			Resources:     resources(spec.Limits),
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny},
			Placement:     &swarm.Placement{Constraints: slices.Clone(spec.Placement)},
			Networks:      []swarm.NetworkAttachmentConfig{{Target: net}},
			LogDriver: &swarm.Driver{Name: "json-file",
				Options: map[string]string{"max-size": "10m", "max-file": "3"}},
		},
		EndpointSpec: endpoint(spec.Port),
	}
}

// endpoint publishes port in host mode on a port the node picks; DNS
// round-robin, as virtual IPs need IPVS.
func endpoint(port int) *swarm.EndpointSpec {
	e := &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR}
	if port > 0 {
		e.Ports = []swarm.PortConfig{{Protocol: swarm.PortConfigProtocolTCP,
			TargetPort: uint32(port), PublishMode: swarm.PortConfigPublishModeHost}}
	}
	return e
}

// resources turns limits into a service's; zero fields cap nothing.
func resources(l engine.Limits) *swarm.ResourceRequirements {
	lim := &swarm.Limit{NanoCPUs: l.NanoCPUs, MemoryBytes: l.MemoryBytes, Pids: l.Pids}
	return &swarm.ResourceRequirements{Limits: lim}
}

// envList turns env into sorted KEY=value entries.
func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	return list
}

// ownedBy reports whether labels mark an object of instance.
func ownedBy(labels map[string]string, instance string) bool {
	return labels[dockernames.LabelInstance] == instance
}
