// Package registry is Quayside's own image registry, the way images built
// on the control host reach the other nodes of a cluster. It serves the
// registry of the distribution project (github.com/distribution/distribution,
// the code behind Docker's registry image) as a library, in the daemon,
// with storage under the data dir, behind TLS from a CA of its own and
// basic auth:
//
//   - the push credential belongs to Quayside alone (the manager's daemon
//     pushes with it, passed per request, never stored by Docker);
//   - each app has a pull-only credential for its own repository, derived
//     from a secret in the data dir, which Quayside hands to Swarm as the
//     service's registry auth: it reaches the nodes' daemons, never a
//     container's environment;
//   - anonymous requests, other apps' repositories, and names that are not
//     app names (path traversal among them) are refused.
//
// It is off in single-node mode; the cluster code constructs it with New
// and turns it on with Start. Ship makes a local image pullable by every
// node; Collect removes what the manager no longer keeps.
package registry
