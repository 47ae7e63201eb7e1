// Package dockercause is the one table of the ways the Docker daemon fails
// that a person can act on (no free address pool, disk full, image gone,
// host port taken or used up, out of memory) and what to say about each.
// The runtime (engine/docker) and the builders (builder/cnb,
// builder/dockerfile) turn daemon errors into *engine.Error through it, so
// a pusher reads the same plain words whichever of them met the failure.
package dockercause

import (
	"strings"

	"github.com/quayside/quayside/engine"
)

// cause is one way the daemon fails: the texts that mark it in the
// daemon's error, the error code, and what it means and what to do.
type cause struct {
	marks []string
	code  string
	words string
}

// AddressPools is what to say when Docker has no subnet left for a network.
const AddressPools = "Docker has no free address pool for a new network (its default pools hold about 30 networks); " +
	"start the server with --app-subnets (for example --app-subnets 10.201.0.0/16) so each app network takes a small subnet, " +
	"or remove Docker networks you no longer use (`docker network prune`)"

// causes are checked in order against the daemon's error text.
var causes = []cause{
	{
		marks: []string{"non-overlapping IPv4 address pool", "address pools have been fully subnetted"},
		code:  engine.EUNAVAILABLE,
		words: AddressPools,
	},
	{
		marks: []string{"no space left on device", "ENOSPC"},
		code:  engine.EUNAVAILABLE,
		words: "the disk of the server is full (no space left on device); free space (`quayside gc` removes old images, " +
			"`docker system df` shows what Docker keeps), then try again",
	},
	{
		marks: []string{"No such image"},
		code:  engine.EDEPLOYFAILED,
		words: "the image is gone from this server (it was removed or never built); redeploy with git push",
	},
	{
		marks: []string{"port is already allocated", "address already in use"},
		code:  engine.EUNAVAILABLE,
		words: "a host port the container needs is already taken; stop what holds it, then try again",
	},
	{
		marks: []string{"all ports are allocated", "no available ports", "port range exhausted"},
		code:  engine.EUNAVAILABLE,
		words: "Docker has no free host port left to publish the container (its port range is used up); " +
			"stop apps or processes you no longer need, or widen net.ipv4.ip_local_port_range, then try again",
	},
	{
		marks: []string{"cannot allocate memory", "out of memory"},
		code:  engine.EUNAVAILABLE,
		words: "the server is out of memory; stop or scale down apps you no longer need (`quayside ps scale`), " +
			"or add memory, then try again",
	},
}

// Explain returns the *engine.Error for a daemon error met during step (a
// person's words: "creating the app network"): "<step> failed: <what it
// means and what to do>", wrapping err so logs and release output keep the
// daemon's own text. It returns nil when err is none of the known causes.
func Explain(step string, err error) *engine.Error {
	if err == nil {
		return nil
	}
	text := err.Error()
	for _, c := range causes {
		for _, m := range c.marks {
			if strings.Contains(text, m) {
				return engine.Wrapf(err, c.code, "%s failed: %s", step, c.words)
			}
		}
	}
	return nil
}
