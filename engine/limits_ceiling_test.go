package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

func TestDevelopersCannotSetLimitsAboveTheServersCeilings(t *testing.T) {
	r := newRig(t)
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		DefaultLimits: serverDefaults, HostCPUs: 2,
		MaxLimits: engine.Limits{MemoryBytes: 1 << 30, Pids: 1024},
	})
	r.mustPush("shop", "img1")
	dev, admin := as("dev@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	set := func(ctx context.Context, ch engine.LimitChange) (engine.Limits, error) {
		return r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: "web", Change: ch})
	}

	for _, ch := range []engine.LimitChange{{"memory": "1T"}, {"memory": "1025M"}, {"pids": "4096"}, {"memory": "512M", "pids": "2048"}} {
		_, err := set(dev, ch)
		require.Error(t, err, ch.String())
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "above this server's ceiling")
		assert.Contains(t, engine.ErrorMessage(err), "ask an admin")
	}
	ls, err := r.eng.Limits(context.Background(), "shop")
	require.NoError(t, err)
	assert.Equal(t, serverDefaults, ls[0].Limits, "a refused change stores nothing, not even its allowed part")

	got, err := set(dev, engine.LimitChange{"memory": "1G", "pids": "1024"})
	require.NoError(t, err, "up to the ceiling is allowed")
	assert.Equal(t, int64(1<<30), got.MemoryBytes)

	got, err = set(admin, engine.LimitChange{"memory": "4G"})
	require.NoError(t, err, "admins may go past the ceilings")
	assert.Equal(t, int64(4<<30), got.MemoryBytes)

	got, err = set(dev, engine.LimitChange{"cpus": "0.5"})
	require.NoError(t, err, "a limit an admin set above the ceiling does not block changing another")
	assert.Equal(t, engine.Limits{MemoryBytes: 4 << 30, NanoCPUs: 5e8, Pids: 1024}, got)
}
