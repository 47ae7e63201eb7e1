package docker

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestAddonPostgresDumpRestore(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	id, spec := startPostgres(t, r)
	psql(t, r, id, "create table notes (id int primary key, body text); insert into notes select g, 'note ' || g from generate_series(1, 3) g")

	var dump bytes.Buffer
	require.NoError(t, r.DumpAddon(testCtx(t), spec, &dump))
	require.True(t, bytes.HasPrefix(dump.Bytes(), []byte("PGDMP")), "pg_dump custom format")

	psql(t, r, id, "insert into notes values (4, 'after'); update notes set body = 'changed' where id = 1")
	psql(t, r, id, "create table later (n int); create view v as select * from notes; create schema extra; create table extra.t (n int)")
	require.NoError(t, r.RestoreAddon(testCtx(t), spec, bytes.NewReader(dump.Bytes())))
	assert.Equal(t, "3|note 1", psql(t, r, id, "select count(*), min(body) from notes"))
	assert.Equal(t, "notes", psql(t, r, id, "select string_agg(table_schema || '.' || table_name, ',') from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')")[len("public."):],
		"what was made after the backup is gone")
	assert.Equal(t, "app", psql(t, r, id, "select tableowner from pg_tables where tablename = 'notes'"))

	t.Run("corrupt or wrong backups leave the data", func(t *testing.T) {
		psql(t, r, id, "insert into notes values (5, 'kept')")
		cases := map[string][]byte{
			"empty":     nil,
			"garbage":   []byte("hello, this is no backup\n"),
			"redis rdb": []byte("REDIS0010\xfa\x09redis-ver"),
			"truncated": dump.Bytes()[:len(dump.Bytes())*2/3],
		}
		for name, body := range cases {
			err := r.RestoreAddon(testCtx(t), spec, bytes.NewReader(body))
			require.Error(t, err, name)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%s: %v", name, err)
			assert.Equal(t, "4", psql(t, r, id, "select count(*) from notes"), name)
		}
		err := r.RestoreAddon(testCtx(t), spec, bytes.NewReader(cases["redis rdb"]))
		assert.Contains(t, err.Error(), "it is a Redis backup")
		err = r.RestoreAddon(testCtx(t), spec, bytes.NewReader(cases["truncated"]))
		assert.Contains(t, err.Error(), "pg_restore exited")

		// The caller's input breaks half way (an upload that drops).
		broken := io.MultiReader(bytes.NewReader(dump.Bytes()[:dump.Len()/2]), iotest.ErrReader(errors.New("connection reset")))
		err = r.RestoreAddon(testCtx(t), spec, broken)
		assert.ErrorContains(t, err, "read input for pg_restore: connection reset")
		assert.Equal(t, "4", psql(t, r, id, "select count(*) from notes"))
	})

	t.Run("a failing writer ends the dump with its error", func(t *testing.T) {
		err := r.DumpAddon(testCtx(t), spec, &fullDisk{left: 100})
		assert.ErrorContains(t, err, "write output of pg_dump: disk full")
		assert.Equal(t, "4", psql(t, r, id, "select count(*) from notes"), "the server still answers")
	})
}

// fullDisk takes left bytes, then fails.
type fullDisk struct{ left int }

func (w *fullDisk) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errors.New("disk full")
	}
	w.left -= len(p)
	return len(p), nil
}

func TestAddonPostgresSurvivesKillAndStopsFast(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	id, _ := startPostgres(t, r)
	psql(t, r, id, "create table rows (n int); insert into rows select generate_series(1, 1000)")
	ctx := testCtx(t)

	require.NoError(t, testCLI.ContainerKill(ctx, id, "KILL"))
	require.NoError(t, testCLI.ContainerStart(ctx, id, container.StartOptions{}))
	waitPostgres(t, r, id)
	assert.Equal(t, "1000", psql(t, r, id, "select count(*) from rows"), "committed rows survive kill -9 (WAL)")

	// SIGTERM with a session open: a fast shutdown, not a smart one that
	// waits for the session to end.
	go func() {
		_ = r.execTool(ctx, id, toolRun{cmd: []string{"psql", "-U", "app", "-d", "appdb", "-c", "select pg_sleep(60)"}, user: "postgres"})
	}()
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	require.NoError(t, testCLI.ContainerKill(ctx, id, "TERM"))
	waitC, errC := testCLI.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	select {
	case res := <-waitC:
		assert.Equal(t, int64(0), res.StatusCode, "clean exit")
	case err := <-errC:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("postgres did not stop within 20 s of SIGTERM")
	}
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestAddonRedisDumpRestore(t *testing.T) {
	t.Parallel()
	for _, aof := range []string{"yes", "no"} {
		t.Run("appendonly "+aof, func(t *testing.T) {
			t.Parallel()
			r := newTestRuntime(t)
			_, spec := startRedis(t, r, aof)
			redis(t, r, spec, "SET", "counter", "3")
			var dump bytes.Buffer
			require.NoError(t, r.DumpAddon(testCtx(t), spec, &dump))
			require.True(t, bytes.HasPrefix(dump.Bytes(), []byte("REDIS")), "an RDB snapshot")

			redis(t, r, spec, "SET", "counter", "9")
			redis(t, r, spec, "SET", "later", "x")
			require.NoError(t, r.RestoreAddon(testCtx(t), spec, bytes.NewReader(dump.Bytes())))
			assert.Equal(t, "3", redis(t, r, spec, "GET", "counter"))
			assert.Equal(t, "0", redis(t, r, spec, "EXISTS", "later"))

			// A restart loads what was restored (the AOF, when on, was replaced).
			require.NoError(t, testCLI.ContainerRestart(testCtx(t), spec.Container, container.StopOptions{}))
			require.NoError(t, r.waitRedis(testCtx(t), spec.Container, spec))
			assert.Equal(t, "3", redis(t, r, spec, "GET", "counter"))
			assert.Equal(t, "0", redis(t, r, spec, "EXISTS", "later"))
		})
	}
}

func TestAddonRedisRefusesBadBackups(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	id, spec := startRedis(t, r, "yes")
	redis(t, r, spec, "SET", "counter", "5")
	before, err := testCLI.ContainerInspect(testCtx(t), id)
	require.NoError(t, err)

	cases := map[string]string{
		"empty":         "",
		"postgres dump": "PGDMP\x01\x0e\x00",
		"bad rdb":       "REDIS0010\xfa\x09redis-ver\x067.0.15 and then garbage",
	}
	for name, body := range cases {
		err := r.RestoreAddon(testCtx(t), spec, strings.NewReader(body))
		require.Error(t, err, name)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%s: %v", name, err)
	}
	after, err := testCLI.ContainerInspect(testCtx(t), id)
	require.NoError(t, err)
	assert.Equal(t, before.State.StartedAt, after.State.StartedAt, "never stopped")
	assert.Equal(t, "5", redis(t, r, spec, "GET", "counter"))
	assert.Equal(t, "", redis(t, r, spec, "EVAL", "return redis.call('KEYS', '.quayside*')[1]", "0"), "no upload left")

	wrong := spec
	wrong.Password = "wrong"
	err = r.DumpAddon(testCtx(t), wrong, &bytes.Buffer{})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "%v", err)
}

// A container of another instance (or none: anything else on the host) is
// not an add-on of ours: no dump, no restore.
func TestAddonBackupOnlyOwnContainers(t *testing.T) {
	t.Parallel()
	r := newTestRuntime(t)
	other := newTestRuntime(t)
	_, spec := startRedis(t, other, "no")
	err := r.DumpAddon(testCtx(t), spec, &bytes.Buffer{})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "%v", err)
	err = r.RestoreAddon(testCtx(t), spec, strings.NewReader("REDIS0010"))
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "%v", err)

	for _, bad := range []AddonDumpSpec{
		{Kind: "mysql", Container: "x"}, {Kind: "redis"}, {Kind: "postgres", Container: "x"},
		// pg_dump reads a --dbname with "=" as a connection string: another server.
		{Kind: "postgres", Container: spec.Container, Database: "host=10.0.0.1 dbname=appdb", User: "app"},
		{Kind: "postgres", Container: spec.Container, Database: "appdb", User: "app password=x"},
	} {
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.DumpAddon(testCtx(t), bad, &bytes.Buffer{})), "%+v", bad)
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := &tailBuffer{max: 64}
	for i := 0; i < 100000; i++ {
		_, _ = tb.Write([]byte("line of noise\n"))
	}
	_, _ = tb.Write([]byte("pg_restore: error: the real cause\n"))
	assert.LessOrEqual(t, len(tb.buf), 128)
	assert.Equal(t, "line of noise; pg_restore: error: the real cause", tb.lastLines(2))
}
