package docker

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchRow is one measured dump or restore.
type benchRow struct {
	what  string
	took  time.Duration
	bytes int64 // size of the backup
	rss   int64 // peak RSS of this process during the step, bytes
}

// TestBenchAddonBackup (QUAYSIDE_BENCH=1) dumps and restores a Postgres
// database and a Redis data set of about 100 MB each through DumpAddon and
// RestoreAddon, to and from a file, and writes the times and this process's
// peak RSS into docs/benchmarks.md.
func TestBenchAddonBackup(t *testing.T) {
	if os.Getenv("QUAYSIDE_BENCH") != "1" {
		t.Skip("set QUAYSIDE_BENCH=1 to run the add-on backup benchmark")
	}
	r := newTestRuntime(t)
	var rows []benchRow
	rows = append(rows, benchPostgres(t, r)...)
	rows = append(rows, benchRedis(t, r)...)
	for _, row := range rows {
		// Streamed, not buffered: far below the backup's size.
		require.Less(t, row.rss, int64(64<<20), "peak RSS of %s", row.what)
	}
	writeAddonBench(t, rows)
}

func benchPostgres(t *testing.T, r *Runtime) []benchRow {
	id, spec := startPostgres(t, r)
	psql(t, r, id, "create table big (id int primary key, a text, b text); insert into big select g, md5(g::text), md5((g * 7)::text) from generate_series(1, 1000000) g")
	size := psql(t, r, id, "select pg_size_pretty(pg_database_size('appdb'))")
	file := filepath.Join(t.TempDir(), "pg.dump")
	dump := measure(t, "Postgres "+size+": DumpAddon (pg_dump -Fc) to a file", func() error {
		f, err := os.Create(file)
		require.NoError(t, err)
		defer f.Close()
		return r.DumpAddon(testCtx(t), spec, f)
	})
	psql(t, r, id, "delete from big where id > 500000")
	restore := measure(t, "Postgres "+size+": RestoreAddon (empty the database, then pg_restore into psql, one transaction) from the file", func() error {
		f, err := os.Open(file)
		require.NoError(t, err)
		defer f.Close()
		return r.RestoreAddon(testCtx(t), spec, f)
	})
	require.Equal(t, "1000000", psql(t, r, id, "select count(*) from big"))
	dump.bytes, restore.bytes = fileSize(t, file), fileSize(t, file)
	return []benchRow{dump, restore}
}

func benchRedis(t *testing.T, r *Runtime) []benchRow {
	_, spec := startRedis(t, r, "yes")
	const keys, valueLen = 100000, 1000
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeRedisSets(pw, keys, valueLen)) }()
	require.NoError(t, r.execTool(testCtx(t), spec.Container, toolRun{cmd: []string{"redis-cli", "--pipe"},
		env: []string{"REDISCLI_AUTH=" + spec.Password}, stdin: pr}))
	require.Equal(t, strconv.Itoa(keys), redis(t, r, spec, "DBSIZE"))
	file := filepath.Join(t.TempDir(), "redis.rdb")
	what := fmt.Sprintf("Redis %d keys of %d random bytes (appendonly yes)", keys, valueLen)
	dump := measure(t, what+": DumpAddon (SAVE, copy dump.rdb) to a file", func() error {
		f, err := os.Create(file)
		require.NoError(t, err)
		defer f.Close()
		return r.DumpAddon(testCtx(t), spec, f)
	})
	redis(t, r, spec, "FLUSHALL")
	restore := measure(t, what+": RestoreAddon (upload, redis-check-rdb, stop, swap, start, ready) from the file", func() error {
		f, err := os.Open(file)
		require.NoError(t, err)
		defer f.Close()
		return r.RestoreAddon(testCtx(t), spec, f)
	})
	require.Equal(t, strconv.Itoa(keys), redis(t, r, spec, "DBSIZE"))
	dump.bytes, restore.bytes = fileSize(t, file), fileSize(t, file)
	return []benchRow{dump, restore}
}

// writeRedisSets writes n SET commands in Redis's protocol, values of
// valueLen random hex characters (which an RDB cannot compress much).
func writeRedisSets(w io.Writer, n, valueLen int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	raw := make([]byte, valueLen/2)
	for i := 0; i < n; i++ {
		_, _ = rand.Read(raw)
		key := "key:" + strconv.Itoa(i)
		fmt.Fprintf(bw, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(key), key, valueLen, hex.EncodeToString(raw))
	}
	return bw.Flush()
}

// measure runs step and returns its time and the peak RSS of this process
// while it ran (the high-water mark is reset first).
func measure(t *testing.T, what string, step func() error) benchRow {
	runtime.GC()
	require.NoError(t, os.WriteFile("/proc/self/clear_refs", []byte("5"), 0))
	start := time.Now()
	require.NoError(t, step(), what)
	row := benchRow{what: what, took: time.Since(start), rss: peakRSS(t)}
	t.Logf("%s: %s, peak RSS %d MB", what, row.took.Round(10*time.Millisecond), row.rss>>20)
	return row
}

// peakRSS reads VmHWM of this process.
func peakRSS(t *testing.T) int64 {
	status, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

func fileSize(t *testing.T, file string) int64 {
	info, err := os.Stat(file)
	require.NoError(t, err)
	return info.Size()
}

// writeAddonBench replaces what is between the add-on backup markers of
// docs/benchmarks.md.
func writeAddonBench(t *testing.T, rows []benchRow) {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "Measured %s on %s (%d CPUs, load average %s at the end), images `%s` and `%s`, one run each;\npeak RSS is that of the test process (the caller of DumpAddon/RestoreAddon), reset before each step.\n\n",
		time.Now().Format("2006-01-02"), host, runtime.NumCPU(), loadAverage(), postgresImage, redisImage)
	b.WriteString("| step | time | backup size | peak RSS of our process |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d MB | %d MB |\n", r.what, r.took.Round(10*time.Millisecond), r.bytes>>20, r.rss>>20)
	}
	path := filepath.Join("..", "..", "docs", "benchmarks.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	start, end := "<!-- bench:addon-backup:start -->", "<!-- bench:addon-backup:end -->"
	before, rest, ok := strings.Cut(string(doc), start)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", start)
	_, after, ok := strings.Cut(rest, end)
	require.True(t, ok, "docs/benchmarks.md has no %s marker", end)
	require.NoError(t, os.WriteFile(path, []byte(before+start+"\n"+b.String()+end+after), 0o644))
	t.Log("wrote the add-on backup section of docs/benchmarks.md")
}

// loadAverage is the 1-minute load average, "?" when unknown.
func loadAverage() string {
	load, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(load)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
