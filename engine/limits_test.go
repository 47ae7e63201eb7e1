package engine_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// serverDefaults are the limits of the rigs of these tests.
var serverDefaults = engine.Limits{MemoryBytes: 512 << 20, Pids: 512}

// newLimitsRig is a rig whose server has serverDefaults and 2 CPUs.
func newLimitsRig(t *testing.T) *rig {
	r := newRig(t)
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		DefaultLimits: serverDefaults, HostCPUs: 2,
	})
	return r
}

// running returns the running containers of app's process type typ.
func (r *rig) running(app, typ string) []*engine.Container {
	var out []*engine.Container
	for _, c := range r.rt.Running(app) {
		if c.Process == typ {
			out = append(out, c)
		}
	}
	return out
}

func TestContainersRunWithTheServerDefaultsUnlessTheAppSetsLimits(t *testing.T) {
	r := newLimitsRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"worker": 1}})
	require.NoError(t, err)
	assert.Equal(t, serverDefaults, r.running("shop", "web")[0].Limits)
	worker := r.running("shop", "worker")[0]

	oldAddr := r.backends("shop")[0]
	var out bytes.Buffer
	got, err := r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: "web", Output: &out,
		Change: engine.LimitChange{"memory": "256M", "cpus": "0.5"}})
	require.NoError(t, err)
	want := engine.Limits{MemoryBytes: 256 << 20, NanoCPUs: 5e8, Pids: 512}
	assert.Equal(t, want, got)
	web := r.running("shop", "web")
	require.Len(t, web, 1, "the old web container is replaced")
	assert.Equal(t, want, web[0].Limits)
	assert.NotEqual(t, oldAddr, r.backends("shop")[0], "the new container takes the traffic")
	assert.Contains(t, r.router.Drained(), oldAddr, "the old one is drained, not cut off")
	assert.Equal(t, worker.ID, r.running("shop", "worker")[0].ID, "other process types keep running")
	assert.Contains(t, out.String(), "memory=256 MiB cpus=0.5 pids=512")
	assert.Contains(t, r.eventKinds("shop"), engine.EventLimitsChanged)

	t.Run("limits survive deploys", func(t *testing.T) {
		r.mustPush("shop", "img2")
		assert.Equal(t, want, r.running("shop", "web")[0].Limits)
		assert.Equal(t, serverDefaults, r.running("shop", "worker")[0].Limits)
	})
	t.Run("one-offs and the release phase run with web's limits", func(t *testing.T) {
		_, err := r.eng.Run(ctx, engine.RunRequest{App: "shop", Command: []string{"/bin/task", "exit=0"}})
		require.NoError(t, err)
		runs := r.rt.Runs()
		assert.Equal(t, want, runs[len(runs)-1].Limits)
	})
	t.Run("default puts the server's default back", func(t *testing.T) {
		got, err := r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: "web",
			Change: engine.LimitChange{"memory": "default", "cpus": "default"}})
		require.NoError(t, err)
		assert.Equal(t, serverDefaults, got)
		assert.Equal(t, serverDefaults, r.running("shop", "web")[0].Limits)
		ls, err := r.eng.Limits(ctx, "shop")
		require.NoError(t, err)
		assert.Equal(t, []engine.TypeLimits{{Type: "web", Limits: serverDefaults}, {Type: "worker", Limits: serverDefaults}}, ls)
	})
}

func TestBadLimitsAreRefusedWithAClearMessage(t *testing.T) {
	r := newLimitsRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	before := r.running("shop", "web")[0]
	cases := []struct {
		process string
		change  engine.LimitChange
		want    string
	}{
		{"web", engine.LimitChange{"memory": "4M"}, "too small: the minimum is 16 MiB"},
		{"web", engine.LimitChange{"memory": "512"}, "write a number and a unit"},
		{"web", engine.LimitChange{"memory": "512X"}, "write a number and a unit"},
		{"web", engine.LimitChange{"memory": "-512M"}, "write a number and a unit"},
		{"web", engine.LimitChange{"memory": "2T"}, "too large: the maximum is 1 TiB"},
		{"web", engine.LimitChange{"cpus": "-1"}, "too small: the minimum is 0.01"},
		{"web", engine.LimitChange{"cpus": "0"}, "too small: the minimum is 0.01"},
		{"web", engine.LimitChange{"cpus": "3"}, "more than this server has: the maximum is 2"},
		{"web", engine.LimitChange{"cpus": "NaN"}, "is not a number of CPUs"},
		{"web", engine.LimitChange{"pids": "5"}, "out of range: use 16 to"},
		{"web", engine.LimitChange{"pids": "1.5"}, "not a whole number"},
		{"web", engine.LimitChange{"disk": "1G"}, `"disk" is not a limit: use memory, cpus or pids`},
		{"web", engine.LimitChange{}, "give at least one limit"},
		{"wrker", engine.LimitChange{"memory": "256M"}, `no process type "wrker": it has web, worker`},
		{"release", engine.LimitChange{"memory": "256M"}, "runs with web's limits"},
	}
	for _, c := range cases {
		t.Run(c.process+" "+c.change.String(), func(t *testing.T) {
			_, err := r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: c.process, Change: c.change})
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), c.want)
		})
	}
	assert.Equal(t, before.ID, r.running("shop", "web")[0].ID, "nothing was restarted")
	ls, err := r.eng.Limits(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, serverDefaults, ls[0].Limits, "nothing was stored")
}

func TestParseMemory(t *testing.T) {
	cases := map[string]int64{
		"512M": 512 << 20, "512MiB": 512 << 20, "512mb": 512 << 20, "1G": 1 << 30, "1.5G": 3 << 29,
		"16M": 16 << 20, "65536K": 64 << 20, " 2 GiB ": 2 << 30,
	}
	for in, want := range cases {
		got, err := engine.ParseMemory(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	assert.Equal(t, "512 MiB", engine.FormatMemory(512<<20))
	assert.Equal(t, "1.5 GiB", engine.FormatMemory(3<<29))
}

func TestLimitsBeforeTheFirstDeployApplyToIt(t *testing.T) {
	r := newLimitsRig(t)
	ctx := context.Background()
	_, err := r.eng.CreateApp(ctx, "shop", "alice")
	require.NoError(t, err)
	_, err = r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: "web", Change: engine.LimitChange{"pids": "64"}})
	require.NoError(t, err)
	r.builder.Processes = []engine.Process{{Type: "web"}, {Type: "release", Entrypoint: []string{"/bin/migrate"}}}
	r.mustPush("shop", "img1")
	want := engine.Limits{MemoryBytes: serverDefaults.MemoryBytes, Pids: 64}
	assert.Equal(t, want, r.running("shop", "web")[0].Limits)
	runs := r.rt.Runs()
	require.Len(t, runs, 1)
	assert.Equal(t, "release", runs[0].Process)
	assert.Equal(t, want, runs[0].Limits, "the release phase runs with web's limits")
}

func TestOutOfMemoryEventNamesTheLimit(t *testing.T) {
	r := newLimitsRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	_, err := r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: "web", Change: engine.LimitChange{"memory": "32M"}})
	require.NoError(t, err)
	require.NoError(t, r.eng.Start(ctx))
	t.Cleanup(func() { r.eng.Close() })
	cur := r.running("shop", "web")[0]
	r.rt.Emit(engine.RuntimeEvent{Action: engine.EventOOM, Container: *cur, Time: time.Now()})
	waitUntil(t, func() bool {
		kinds := r.eventKinds("shop")
		return kinds[len(kinds)-1] == engine.EventOutOfMemory
	})
	evs, err := r.eng.Events(ctx, "shop", 0, 1)
	require.NoError(t, err)
	assert.Equal(t, "web.1 was killed: out of memory at its 32 MiB limit", evs[0].Message)
}

func TestNewDefaultsReachRunningContainersAfterTheDaemonServes(t *testing.T) {
	r := newRig(t) // a server without limits
	ctx := context.Background()
	r.mustPush("shop", "img1")
	before := r.running("shop", "web")[0]
	require.Zero(t, before.Limits)

	restarted := engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		DefaultLimits: serverDefaults, SyncEvery: 50 * time.Millisecond,
	})
	require.NoError(t, restarted.Reconcile(ctx))
	assert.Equal(t, before.ID, r.running("shop", "web")[0].ID, "the start is not held up replacing containers")
	assert.Equal(t, []string{before.Addr}, r.backends("shop"))

	require.NoError(t, restarted.Start(ctx))
	t.Cleanup(func() { restarted.Close() })
	waitUntil(t, func() bool {
		web := r.running("shop", "web")
		return len(web) == 1 && web[0].Limits == serverDefaults
	})
	assert.Contains(t, r.router.Drained(), before.Addr, "the old container was drained")
}

func TestLimitsTheProcessCannotRunWithAreNotKept(t *testing.T) {
	r := newLimitsRig(t)
	ctx := context.Background()
	r.builder.Processes = webAndWorker
	r.mustPush("shop", "img1")
	_, err := r.eng.Scale(ctx, engine.ScaleRequest{App: "shop", Change: engine.Scale{"worker": 1}})
	require.NoError(t, err)
	web, worker := r.running("shop", "web")[0], r.running("shop", "worker")[0]

	for _, typ := range []string{"web", "worker"} {
		_, err = r.eng.SetLimits(ctx, engine.LimitsRequest{App: "shop", Process: typ, Change: engine.LimitChange{"memory": "16M"}})
		require.Error(t, err, typ)
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), typ+" did not start with memory=16 MiB cpus=none pids=512, so its limits stay as they were (memory=512 MiB")
	}
	assert.Equal(t, web.ID, r.running("shop", "web")[0].ID, "the old web container keeps serving")
	assert.Equal(t, []string{web.Addr}, r.backends("shop"))
	assert.Equal(t, worker.ID, r.running("shop", "worker")[0].ID)
	ls, err := r.eng.Limits(ctx, "shop")
	require.NoError(t, err)
	for _, l := range ls {
		assert.Equal(t, serverDefaults, l.Limits, l.Type)
	}
}
