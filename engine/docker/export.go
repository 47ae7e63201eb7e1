package docker

import "github.com/quayside/quayside/engine"

// Labels are the labels Start puts on a container of spec: other runtimes
// that run Quayside's replicas (engine/swarm) label theirs the same way.
func Labels(instance string, spec engine.ContainerSpec) map[string]string {
	return containerLabels(instance, spec)
}

// Identity is a Container with its id, name and the fields its labels
// (made by Labels) carry.
func Identity(id, name string, labels map[string]string) *engine.Container {
	return identity(id, name, labels)
}
