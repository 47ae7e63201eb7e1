package docker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"
	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/dockernames"
)

func TestNames(t *testing.T) {
	spec := engine.ContainerSpec{App: "shop", Process: "web", Replica: 2, Release: 12}
	assert.Equal(t, "qs-ab12-shop-web-2-v12-beef", containerName("ab12", spec, "beef"))
	assert.Equal(t, "qs-ab12-shop", NetworkName("ab12", "shop"))
	assert.Regexp(t, `^[0-9a-f]{4}$`, randomHex(2))
	assert.NotEqual(t, randomHex(8), randomHex(8))
}

func TestEnvList(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want []string
	}{
		{"nil", nil, []string{}},
		{"sorted", map[string]string{"PORT": "80", "A": "x=y", "EMPTY": ""}, []string{"A=x=y", "EMPTY=", "PORT=80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, envList(tt.in)) })
	}
}

func TestGraceSeconds(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{-time.Second, 0}, {0, 0}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {30 * time.Second, 30},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, graceSeconds(tt.in), "grace %s", tt.in)
	}
}

func TestParseTime(t *testing.T) {
	assert.True(t, parseTime("0001-01-01T00:00:00Z").IsZero())
	assert.True(t, parseTime("").IsZero())
	assert.True(t, parseTime("yesterday").IsZero())
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC), parseTime("2024-05-01T10:00:00.123456789Z").UTC())
}

func TestPublishedAddr(t *testing.T) {
	info := func(bindings nat.PortMap, ports nat.PortMap) container.InspectResponse {
		ns := &container.NetworkSettings{}
		ns.Ports = ports // set through the field, not the deprecated NetworkSettingsBase it is promoted from
		return container.InspectResponse{
			ContainerJSONBase: &container.ContainerJSONBase{HostConfig: &container.HostConfig{PortBindings: bindings}},
			NetworkSettings:   ns,
		}
	}
	want := nat.PortMap{"8080/tcp": {{HostIP: "127.0.0.1"}}}
	tests := []struct {
		name string
		in   container.InspectResponse
		want string
	}{
		{"assigned", info(want, nat.PortMap{"8080/tcp": {{HostIP: "127.0.0.1", HostPort: "49153"}}}), "127.0.0.1:49153"},
		{"not yet assigned", info(want, nat.PortMap{"8080/tcp": nil}), ""},
		{"other interface ignored", info(want, nat.PortMap{"8080/tcp": {{HostIP: "0.0.0.0", HostPort: "1"}}}), ""},
		{"nothing published", info(nil, nat.PortMap{}), ""},
		{"no host config", container.InspectResponse{ContainerJSONBase: &container.ContainerJSONBase{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, publishedAddr(tt.in)) })
	}
}

func TestConfigWithoutPort(t *testing.T) {
	spec := engine.ContainerSpec{App: "jobs", Process: "worker", Replica: 1, Release: 1, Image: "img"}
	cfg, host := containerConfig("ab12", spec), hostConfig(spec, "net")
	assert.Empty(t, cfg.ExposedPorts)
	assert.Empty(t, host.PortBindings)
	assert.Nil(t, cfg.Cmd, "the image's command when Cmd is empty")
	assert.Equal(t, map[string]string{dockernames.LabelInstance: "ab12", dockernames.LabelApp: "jobs", dockernames.LabelRelease: "1",
		LabelProcess: "worker", LabelReplica: "1", LabelLimits: "memory=0 cpus=0 pids=0"}, cfg.Labels)
}

func TestConfigCommand(t *testing.T) {
	spec := engine.ContainerSpec{App: "jobs", Process: "worker", Replica: 1, Release: 1, Image: "img",
		Entrypoint: []string{"/bin/sh", "-c"}, Cmd: []string{"work"}}
	cfg := containerConfig("ab12", spec)
	assert.Equal(t, []string{"/bin/sh", "-c"}, []string(cfg.Entrypoint))
	assert.Equal(t, []string{"work"}, []string(cfg.Cmd))

	spec.Entrypoint, spec.Cmd = []string{}, nil
	cfg = containerConfig("ab12", spec)
	assert.NotNil(t, cfg.Entrypoint, "an empty entrypoint clears the image's")
	assert.Nil(t, cfg.Cmd, "nil keeps the image's command")
}

func TestRemovalInProgress(t *testing.T) {
	inProgress := fmt.Errorf("removal of container abc is already in progress: %w", cerrdefs.ErrConflict)
	assert.True(t, removalInProgress(inProgress))
	assert.False(t, removalInProgress(fmt.Errorf("name in use: %w", cerrdefs.ErrConflict)))
	assert.False(t, removalInProgress(errors.New("removal of container abc is already in progress")), "not a conflict")
}
