package docker

import (
	"context"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockernames"
	"github.com/quayside/quayside/internal/dockertest"
)

// The offline add-on images (make addons).
const (
	postgresImage = "quayside/postgres:15-offline"
	redisImage    = "quayside/redis:7-offline"
)

// needImage skips t when the daemon lacks image.
func needImage(t testing.TB, image string) {
	t.Helper()
	if _, err := testCLI.ImageInspect(testCtx(t.(*testing.T)), image); cerrdefs.IsNotFound(err) {
		t.Skipf("%s is missing: run make addons", image)
	}
}

// startAddon starts an add-on container of r's instance with a named volume
// at dataDir and returns its ID.
func startAddon(t testing.TB, r *Runtime, image, dataDir string, env, cmd []string) string {
	t.Helper()
	ctx := testCtx(t.(*testing.T))
	vol := "qs-" + r.instance + "-data-" + dockertest.RandomHex(3)
	created, err := testCLI.ContainerCreate(ctx, &container.Config{
		Image: image, Env: env, Cmd: cmd,
		Labels: map[string]string{dockernames.LabelInstance: r.instance},
	}, &container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol, Target: dataDir}}}, nil, nil, "")
	require.NoError(t, err)
	require.NoError(t, testCLI.ContainerStart(ctx, created.ID, container.StartOptions{}))
	return created.ID
}

// startPostgres starts a postgres add-on (role app, database appdb) and
// waits until it accepts connections.
func startPostgres(t testing.TB, r *Runtime) (string, AddonDumpSpec) {
	needImage(t, postgresImage)
	id := startAddon(t, r, postgresImage, "/var/lib/postgresql/data",
		[]string{"POSTGRES_USER=app", "POSTGRES_PASSWORD=pw-" + r.instance, "POSTGRES_DB=appdb"}, nil)
	waitPostgres(t, r, id)
	return id, AddonDumpSpec{Kind: "postgres", Container: id, Database: "appdb", User: "app"}
}

// waitPostgres polls until the server accepts queries on appdb (the
// entrypoint's temporary server answers pg_isready during the first start).
func waitPostgres(t testing.TB, r *Runtime, id string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		err := r.execTool(context.Background(), id, toolRun{cmd: []string{"psql", "-X", "-h", "127.0.0.1", "-U", "app", "-d", "appdb", "-c", "select 1"},
			env: []string{"PGPASSWORD=pw-" + r.instance}, user: "postgres"})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres did not answer: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// psql runs sql on appdb and returns its unaligned output.
func psql(t testing.TB, r *Runtime, id, sql string) string {
	t.Helper()
	var out tailBuffer
	out.max = 1 << 20
	err := r.execTool(testCtx(t.(*testing.T)), id, toolRun{cmd: []string{"psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-U", "app", "-d", "appdb", "-c", sql},
		user: "postgres", stdout: &out})
	require.NoError(t, err, sql)
	return strings.TrimSpace(string(out.buf))
}

// startRedis starts a redis add-on the way Quayside runs one and waits
// until it answers.
func startRedis(t testing.TB, r *Runtime, aof string) (string, AddonDumpSpec) {
	needImage(t, redisImage)
	pw := "pw-" + r.instance
	id := startAddon(t, r, redisImage, "/data", nil,
		[]string{"redis-server", "--requirepass", pw, "--appendonly", aof, "--dir", "/data"})
	spec := AddonDumpSpec{Kind: "redis", Container: id, Password: pw}
	require.NoError(t, r.waitRedis(testCtx(t.(*testing.T)), id, spec))
	return id, spec
}

// redis runs one redis-cli command and returns its raw reply.
func redis(t testing.TB, r *Runtime, spec AddonDumpSpec, args ...string) string {
	t.Helper()
	reply, err := r.redisCLI(testCtx(t.(*testing.T)), spec.Container, spec, args...)
	require.NoError(t, err, args)
	return reply
}
