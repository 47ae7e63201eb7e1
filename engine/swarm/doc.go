// Package swarm runs Quayside's replicas as Docker Swarm services once the
// server manages a cluster (`quayside cluster init`), and implements
// engine.Cluster (init, join token, nodes, availability, leave).
//
// Each replica of a release is one service with one task, so the engine
// keeps deciding everything a deploy does exactly as on one node: it
// starts the new replicas, checks each one's health at the node:port of
// its task, switches the proxy, then drains and removes the old ones.
// Swarm places the tasks (spread over the active nodes, within the app's
// placement constraints), restarts crashed ones and moves them off failed
// nodes. Tasks publish their port in host mode on a random port of their
// node (no routing mesh: it needs IPVS); Inspect reports
// "<node address>:<port>" of the running task, where the engine checks
// its health and the proxy sends its requests. Each app has an attachable overlay network of its own.
//
// Without an active swarm of this instance (or while Hold is on) every
// call goes to the plain container runtime of this server, which Runtime
// wraps: single-node mode is untouched. Container ids of plain containers
// are Docker's 64 hex digits, service ids are not, which is how Stop,
// Inspect and the log calls find their way.
package swarm
