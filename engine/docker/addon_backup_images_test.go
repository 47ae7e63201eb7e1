package docker

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shOut runs a shell command in the container as user and returns its
// output and error.
func shOut(t *testing.T, r *Runtime, id, user, script string) (string, error) {
	var out tailBuffer
	out.max = 64 << 10
	err := r.execTool(testCtx(t), id, toolRun{cmd: []string{"sh", "-c", script}, user: user, stdout: &out})
	return strings.TrimSpace(string(out.buf)), err
}

// The offline images behave like the official ones where Quayside relies on
// it: first-start setup from the environment, password logins over the
// network, non-root servers, the tools on PATH, labels naming the packages.
func TestAddonImagesBehaveLikeOfficial(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		r := newTestRuntime(t)
		id, _ := startPostgres(t, r)
		_, err := shOut(t, r, id, "postgres", `PGPASSWORD=wrong psql -X -h "$(hostname -i)" -U app -d appdb -c 'select 1'`)
		assert.ErrorContains(t, err, "password authentication failed", "network logins need the password")
		out, err := shOut(t, r, id, "postgres", `PGPASSWORD=pw-`+r.instance+` psql -X -tA -h "$(hostname -i)" -U app -d appdb -c 'select current_user'`)
		require.NoError(t, err)
		assert.Equal(t, "app", out)
		out, err = shOut(t, r, id, "", `stat -c %U "/proc/$(head -n 1 "$PGDATA/postmaster.pid")"; for t in pg_isready psql pg_dump pg_restore pg_dumpall; do command -v $t; done`)
		require.NoError(t, err)
		assert.Equal(t, "postgres\n/usr/lib/postgresql/15/bin/pg_isready\n/usr/lib/postgresql/15/bin/psql\n/usr/lib/postgresql/15/bin/pg_dump\n/usr/lib/postgresql/15/bin/pg_restore\n/usr/lib/postgresql/15/bin/pg_dumpall", out)
		assert.Equal(t, "off", psql(t, r, id, "show jit"))
		labels(t, postgresImage, "org.quayside.addon.debian.postgresql-15", "15.")
	})
	t.Run("postgres without a password refuses to start", func(t *testing.T) {
		t.Parallel()
		r := newTestRuntime(t)
		needImage(t, postgresImage)
		id := startAddon(t, r, postgresImage, "/var/lib/postgresql/data", nil, nil)
		waitC, errC := testCLI.ContainerWait(testCtx(t), id, container.WaitConditionNotRunning)
		select {
		case res := <-waitC:
			assert.NotEqual(t, int64(0), res.StatusCode)
		case err := <-errC:
			t.Fatal(err)
		case <-time.After(30 * time.Second):
			t.Fatal("postgres without POSTGRES_PASSWORD kept running")
		}
		logs := containerLogs(t, id)
		assert.Contains(t, logs, "POSTGRES_PASSWORD is not set")
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		r := newTestRuntime(t)
		id, spec := startRedis(t, r, "yes")
		out, err := shOut(t, r, id, "", `stat -c %U /proc/1; for t in redis-cli redis-check-rdb; do command -v $t; done`)
		require.NoError(t, err)
		assert.Equal(t, "redis\n/usr/bin/redis-cli\n/usr/bin/redis-check-rdb", out)
		assert.Equal(t, "appendonly\nyes", redis(t, r, spec, "CONFIG", "GET", "appendonly"))
		_, err = r.redisCLI(testCtx(t), id, AddonDumpSpec{}, "GET", "x")
		assert.ErrorContains(t, err, "NOAUTH", "requirepass holds")
		labels(t, redisImage, "org.quayside.addon.debian.redis-server", "5:7.0.")
	})
}

// labels checks that image has label key with a value starting with prefix.
func labels(t *testing.T, image, key, prefix string) {
	info, err := testCLI.ImageInspect(testCtx(t), image)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(info.Config.Labels[key], prefix), "%s=%q", key, info.Config.Labels[key])
}

// containerLogs returns what a container wrote, both streams.
func containerLogs(t *testing.T, id string) string {
	rc, err := testCLI.ContainerLogs(testCtx(t), id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	require.NoError(t, err)
	defer rc.Close()
	var out tailBuffer
	out.max = 64 << 10
	_, _ = stdcopy.StdCopy(&out, &out, rc)
	return string(out.buf)
}
