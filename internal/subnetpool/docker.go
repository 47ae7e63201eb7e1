package subnetpool

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/docker/docker/api/types/network"
)

// Docker is the part of the Docker client the pool uses.
type Docker interface {
	NetworkList(ctx context.Context, opts network.ListOptions) ([]network.Summary, error)
	NetworkCreate(ctx context.Context, name string, opts network.CreateOptions) (network.CreateResponse, error)
}

// RoutesFile is where the host's IPv4 routes are read.
const RoutesFile = "/proc/net/route"

// createTries bounds the retries when other creators take the subnets we pick.
const createTries = 16

// FullError is returned (and matches ErrFull) when no subnet is left.
type FullError struct {
	Pool     Pool
	Networks int // networks holding a subnet of the pool
}

func (e *FullError) Error() string {
	return fmt.Sprintf("subnet pool %s is full: %d networks hold all its %d subnets", e.Pool, e.Networks, e.Pool.Size())
}

// Is makes errors.Is(err, ErrFull) true.
func (e *FullError) Is(target error) bool { return target == ErrFull }

// Create creates the network name with opts and the first free subnet of p.
// A subnet is free when no Docker network and no host route overlaps it;
// when Docker refuses the subnet because someone took it meanwhile, Create
// takes the next. It returns a *FullError when the pool is used up.
func Create(ctx context.Context, cli Docker, p Pool, name string, opts network.CreateOptions) (network.CreateResponse, error) {
	var taken []netip.Prefix
	for range createTries {
		nets, err := Networks(ctx, cli)
		if err != nil {
			return network.CreateResponse{}, err
		}
		routes, err := HostRoutes()
		if err != nil {
			return network.CreateResponse{}, err
		}
		s, err := p.First(append(Used(routes, nets), taken...))
		if errors.Is(err, ErrFull) {
			return network.CreateResponse{}, &FullError{Pool: p, Networks: countIn(p, nets)}
		}
		opts.IPAM = &network.IPAM{Driver: "default", Config: []network.IPAMConfig{{Subnet: s.String()}}}
		resp, err := cli.NetworkCreate(ctx, name, opts)
		if err == nil || !isOverlap(err) {
			return resp, err
		}
		taken = append(taken, s)
	}
	return network.CreateResponse{}, fmt.Errorf("create network %s: every subnet tried was taken meanwhile", name)
}

// Networks lists Docker's networks with their IPv4 subnets.
func Networks(ctx context.Context, cli Docker) ([]Network, error) {
	list, err := cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	nets := make([]Network, 0, len(list))
	for _, n := range list {
		nets = append(nets, Network{Name: n.Name, Subnets: subnets(n.IPAM), Ours: ours(n.Labels)})
	}
	return nets, nil
}

// HostRoutes reads the host's IPv4 routes from RoutesFile.
func HostRoutes() ([]Route, error) {
	f, err := os.Open(RoutesFile)
	if err != nil {
		return nil, fmt.Errorf("read routes: %w", err)
	}
	defer f.Close()
	return ParseRoutes(f)
}

// CheckHost checks p against the host's routes and Docker's networks; see Check.
func CheckHost(ctx context.Context, cli Docker, p Pool) error {
	routes, err := HostRoutes()
	if err != nil {
		return err
	}
	nets, err := Networks(ctx, cli)
	if err != nil {
		return err
	}
	return Check(p, routes, nets)
}

func subnets(ipam network.IPAM) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range ipam.Config {
		if s, err := netip.ParsePrefix(c.Subnet); err == nil && s.Addr().Is4() {
			out = append(out, s.Masked())
		}
	}
	return out
}

func countIn(p Pool, nets []Network) int {
	n := 0
	for _, net := range nets {
		for _, s := range net.Subnets {
			if s.Overlaps(p.prefix) {
				n++
				break
			}
		}
	}
	return n
}

// isOverlap reports Docker's refusal of a subnet another network holds.
func isOverlap(err error) bool {
	return strings.Contains(err.Error(), "overlaps with other one")
}
