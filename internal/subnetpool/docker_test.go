package subnetpool

import (
	"context"
	"errors"
	"testing"

	"github.com/docker/docker/api/types/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raceDocker lists no networks but refuses the subnets in taken, as Docker
// does when another creator took them between the list and the create.
type raceDocker struct {
	taken   map[string]bool
	created []string
	err     error
}

func (d *raceDocker) NetworkList(context.Context, network.ListOptions) ([]network.Summary, error) {
	return nil, nil
}

func (d *raceDocker) NetworkCreate(_ context.Context, _ string, opts network.CreateOptions) (network.CreateResponse, error) {
	s := opts.IPAM.Config[0].Subnet
	d.created = append(d.created, s)
	if d.err != nil {
		return network.CreateResponse{}, d.err
	}
	if d.taken[s] {
		return network.CreateResponse{}, errors.New("Error response from daemon: Pool overlaps with other one on this address space")
	}
	return network.CreateResponse{ID: "n1"}, nil
}

func TestCreateTakesTheNextWhenRaced(t *testing.T) {
	p, err := Parse("10.250.77.0/24")
	require.NoError(t, err)
	d := &raceDocker{taken: map[string]bool{"10.250.77.0/26": true, "10.250.77.64/26": true}}
	resp, err := Create(context.Background(), d, p, "qs-x-shop", network.CreateOptions{Driver: "bridge"})
	require.NoError(t, err)
	assert.Equal(t, "n1", resp.ID)
	assert.Equal(t, []string{"10.250.77.0/26", "10.250.77.64/26", "10.250.77.128/26"}, d.created)

	d = &raceDocker{taken: map[string]bool{"10.250.77.0/26": true, "10.250.77.64/26": true, "10.250.77.128/26": true, "10.250.77.192/26": true}}
	_, err = Create(context.Background(), d, p, "qs-x-shop", network.CreateOptions{})
	assert.ErrorIs(t, err, ErrFull, "every subnet taken by racers is a full pool")

	d = &raceDocker{err: errors.New("daemon on fire")}
	_, err = Create(context.Background(), d, p, "qs-x-shop", network.CreateOptions{})
	assert.ErrorContains(t, err, "daemon on fire")
	assert.Len(t, d.created, 1, "other errors are not retried")
}
