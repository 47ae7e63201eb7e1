package dockertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/internal/dockernames"
)

// RandomHex returns n random bytes as 2n hex digits: a unique id for the
// instance or the Docker objects of one test.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// RemoveInstance removes, by force, every container, network and image
// labelled dockernames.LabelInstance=instance, in that order, then the build cache
// volumes named after the instance ("qs-<instance>-..."), and nothing else.
// Objects that vanish meanwhile are no error; any other failure is
// returned, after the rest has been tried.
func RemoveInstance(ctx context.Context, cli client.APIClient, instance string) error {
	f := filters.NewArgs(filters.Arg("label", dockernames.LabelInstance+"="+instance))
	return errors.Join(removeContainers(ctx, cli, f), removeNetworks(ctx, cli, f), removeImages(ctx, cli, f),
		removeVolumes(ctx, cli, "qs-"+instance+"-"))
}

func removeContainers(ctx context.Context, cli client.APIClient, f filters.Args) error {
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	var errs []error
	for _, c := range cs {
		errs = append(errs, gone(cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})))
	}
	return errors.Join(errs...)
}

// removeVolumes removes the volumes whose names start with prefix.
func removeVolumes(ctx context.Context, cli client.APIClient, prefix string) error {
	vols, err := cli.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("name", prefix))})
	if err != nil {
		return fmt.Errorf("list volumes: %w", err)
	}
	var errs []error
	for _, v := range vols.Volumes {
		if strings.HasPrefix(v.Name, prefix) { // the name filter matches substrings
			errs = append(errs, gone(cli.VolumeRemove(ctx, v.Name, true)))
		}
	}
	return errors.Join(errs...)
}

func removeNetworks(ctx context.Context, cli client.APIClient, f filters.Args) error {
	nets, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	var errs []error
	for _, n := range nets {
		errs = append(errs, gone(cli.NetworkRemove(ctx, n.ID)))
	}
	return errors.Join(errs...)
}

// removeImages removes the images in passes: an image whose child is also
// labelled (labels are inherited) only goes once the child has gone. It
// stops when a pass removes everything or nothing.
func removeImages(ctx context.Context, cli client.APIClient, f filters.Args) error {
	for {
		imgs, err := cli.ImageList(ctx, image.ListOptions{All: true, Filters: f})
		if err != nil {
			return fmt.Errorf("list images: %w", err)
		}
		var errs []error
		for _, i := range imgs {
			_, err := cli.ImageRemove(ctx, i.ID, image.RemoveOptions{Force: true, PruneChildren: true})
			if err = gone(err); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) == 0 || len(errs) == len(imgs) {
			return errors.Join(errs...)
		}
	}
}

// gone treats "not found" as success: the object is gone either way.
func gone(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// Instance returns a fresh instance id (RandomHex(4)) and removes, when t
// ends, what that instance made on the daemon (see RemoveInstance), failing
// t when that fails.
func Instance(t testing.TB, cli client.APIClient) string {
	instance := RandomHex(4)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, RemoveInstance(ctx, cli, instance), "remove instance %s", instance)
	})
	return instance
}
