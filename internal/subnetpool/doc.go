// Package subnetpool hands out the IPv4 subnets of the bridge networks
// Quayside creates (one per app, one per buildpack build) from a range
// Quayside owns, instead of Docker's default address pools, which hold only
// about 31 bridge networks. The runtime (engine/docker) and the buildpack
// builder (builder/cnb) share it, so it lives here and imports neither.
//
// The allocation is derived from Docker's networks each time: a subnet is
// used while any network on the daemon holds it, so a destroyed app's subnet
// is free again once its network is gone, restarts lose nothing, and two
// creators that race are told apart by Docker itself (it refuses a second
// network whose subnet overlaps the first; Create then takes the next one).
package subnetpool
