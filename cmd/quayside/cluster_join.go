package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/proxy/registry"
)

// clusterJoinCmd runs on a new node (not on the Quayside server): it makes
// the node's Docker trust Quayside's registry and joins the swarm as a
// worker. `quayside cluster join-command` on the server prints it whole;
// the installer runs it with `install.sh --join "..."`. It needs root (it
// writes /etc/docker/certs.d) and the node's Docker, nothing of Quayside's.
// Wire it into clusterCmd as:
//
//	Join clusterJoinCmd `cmd:"" help:"On a new node: trust Quayside's registry and join the cluster as a worker."`
type clusterJoinCmd struct {
	Manager       string `arg:"" placeholder:"HOST:PORT" help:"The manager's swarm address (port 2377 when left out)."`
	Token         string `required:"" help:"The worker join token (from join-command)."`
	Registry      string `placeholder:"HOST:PORT" help:"Quayside's registry, through which images reach this node."`
	RegistryCA    string `name:"registry-ca-sha256" placeholder:"HEX" help:"SHA-256 of the registry's CA: the node trusts the CA the registry shows only when it matches."`
	AdvertiseAddr string `name:"advertise-addr" placeholder:"IP" help:"The address of this node that the others reach it at; left out, Docker picks the one of the default route."`
	CertsDir      string `name:"certs-dir" default:"/etc/docker/certs.d" hidden:"" help:"Where this node's Docker reads registry CAs."`
	DockerHost    string `name:"docker-host" env:"DOCKER_HOST" hidden:"" help:"This node's Docker daemon."`
}

func (c *clusterJoinCmd) Run(g *globals) error {
	manager, err := c.check()
	if err != nil {
		return err
	}
	if c.Registry != "" {
		if err := c.trustRegistry(g.ctx); err != nil {
			return err
		}
		fmt.Printf("This node's Docker trusts Quayside's registry at %s.\n", c.Registry)
	}
	if err := c.join(g.ctx, manager); err != nil {
		return err
	}
	fmt.Printf("Joined the cluster of %s as a worker. On the server, `quayside cluster nodes` lists it.\n", manager)
	return nil
}

// check validates the flags and returns the manager's host:port.
func (c *clusterJoinCmd) check() (string, error) {
	manager := c.Manager
	if _, _, err := net.SplitHostPort(manager); err != nil {
		manager = net.JoinHostPort(manager, "2377")
	}
	if host, _, err := net.SplitHostPort(manager); err != nil || host == "" {
		return "", fieldErr("manager", "%q is not the manager's address: give HOST or HOST:PORT as join-command printed it", c.Manager)
	}
	if !strings.HasPrefix(c.Token, "SWMTKN-") {
		return "", fieldErr("token", "--token must be the worker token join-command printed (it starts with SWMTKN-)")
	}
	if (c.Registry == "") != (c.RegistryCA == "") {
		return "", fieldErr("registry", "--registry and --registry-ca-sha256 go together: copy both from join-command")
	}
	return manager, nil
}

// trustRegistry fetches the registry's CA, checked against the pin, and
// writes it where this node's Docker reads it.
func (c *clusterJoinCmd) trustRegistry(ctx context.Context) error {
	ca, err := registry.FetchCA(ctx, c.Registry, c.RegistryCA)
	if err != nil {
		return err
	}
	if err := registry.Trust(c.CertsDir, c.Registry, ca); err != nil {
		return engine.Errorf(engine.EINVALID, "%v (is this run as root?)", err)
	}
	return nil
}

// join joins this node's Docker to the swarm as a worker.
func (c *clusterJoinCmd) join(ctx context.Context, manager string) error {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if c.DockerHost != "" {
		opts = append(opts, client.WithHost(c.DockerHost))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return fmt.Errorf("connect to docker: %w", err)
	}
	defer cli.Close()
	info, err := cli.Info(ctx)
	if err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "this node's Docker does not answer (%v): install and start Docker first", err)
	}
	if info.Swarm.LocalNodeState != swarm.LocalNodeStateInactive {
		return engine.Errorf(engine.ECONFLICT, "this node is already in a swarm (%s): run `docker swarm leave` first if it should join this one", info.Swarm.LocalNodeState)
	}
	err = cli.SwarmJoin(ctx, swarm.JoinRequest{
		ListenAddr: "0.0.0.0:2377", AdvertiseAddr: c.AdvertiseAddr, RemoteAddrs: []string{manager}, JoinToken: c.Token,
	})
	if err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "join the swarm at %s: %v (check the token, and that this node reaches the manager on TCP 2377)", manager, err)
	}
	return nil
}
