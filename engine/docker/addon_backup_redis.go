package docker

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/quayside/quayside/engine"
)

// redisConf is what a restore needs of a running Redis's configuration.
type redisConf struct {
	dir, dbfilename        string
	appendonly             bool
	appenddirname, aofname string
}

// redisCLI runs redis-cli with args in the container, the password in the
// environment (never on a command line), and returns its output.
func (r *Runtime) redisCLI(ctx context.Context, id string, spec AddonDumpSpec, args ...string) (string, error) {
	var out tailBuffer
	out.max = 64 << 10
	x := toolRun{cmd: append([]string{"redis-cli", "--raw"}, args...), stdout: &out}
	if spec.Password != "" {
		x.env = []string{"REDISCLI_AUTH=" + spec.Password}
	}
	err := r.execTool(ctx, id, x)
	reply := strings.TrimSpace(string(out.buf))
	if err != nil {
		return reply, err
	}
	for _, bad := range []string{"NOAUTH", "WRONGPASS", "ERR", "LOADING", "Could not connect"} {
		if strings.HasPrefix(reply, bad) {
			return reply, fmt.Errorf("redis-cli %s: %s", args[0], reply)
		}
	}
	return reply, nil
}

// redisConfig reads the data dir, file names and AOF setting.
func (r *Runtime) redisConfig(ctx context.Context, id string, spec AddonDumpSpec) (redisConf, error) {
	reply, err := r.redisCLI(ctx, id, spec, "CONFIG", "GET", "dir", "dbfilename", "appendonly", "appenddirname", "appendfilename")
	if err != nil {
		return redisConf{}, redisFailed(err, "read the redis add-on's configuration")
	}
	lines := strings.Split(reply, "\n")
	kv := map[string]string{}
	for i := 0; i+1 < len(lines); i += 2 {
		kv[strings.TrimSpace(lines[i])] = strings.TrimSpace(lines[i+1])
	}
	c := redisConf{dir: kv["dir"], dbfilename: kv["dbfilename"], appendonly: kv["appendonly"] == "yes",
		appenddirname: kv["appenddirname"], aofname: kv["appendfilename"]}
	if !path.IsAbs(c.dir) || c.dbfilename == "" || strings.Contains(c.dbfilename, "/") {
		return c, engine.Errorf(engine.EUNAVAILABLE, "could not read the redis add-on's data dir (CONFIG GET answered %q); is CONFIG renamed or disabled?", reply)
	}
	if c.appenddirname == "" || c.aofname == "" {
		c.appenddirname, c.aofname = "appendonlydir", "appendonly.aof"
	}
	return c, nil
}

// redisFailed makes a redis-cli failure a user-facing error.
func redisFailed(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*engine.Error); ok {
		return err
	}
	msg := engine.ErrorDetail(err)
	if strings.Contains(msg, "NOAUTH") || strings.Contains(msg, "WRONGPASS") {
		return engine.Wrapf(err, engine.EFORBIDDEN, "could not %s: the password is wrong", what)
	}
	return engine.Wrapf(err, engine.EUNAVAILABLE, "could not %s: %s", what, msg)
}

// dumpRedis saves the data set (SAVE) and streams the RDB file to w.
func (r *Runtime) dumpRedis(ctx context.Context, id string, spec AddonDumpSpec, w io.Writer) error {
	conf, err := r.redisConfig(ctx, id, spec)
	if err != nil {
		return err
	}
	if err := r.redisSave(ctx, id, spec); err != nil {
		return err
	}
	return r.copyFileOut(ctx, id, path.Join(conf.dir, conf.dbfilename), w)
}

// redisSave runs SAVE, which writes the data set to dbfilename before it
// answers (Redis serves no other command meanwhile: about a second per
// 100 MB). While a background save runs SAVE is refused: it waits for
// that one to end, for up to ten minutes.
func (r *Runtime) redisSave(ctx context.Context, id string, spec AddonDumpSpec) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		_, err := r.redisCLI(ctx, id, spec, "SAVE")
		if err == nil || !strings.Contains(err.Error(), "in progress") || time.Now().After(deadline) {
			return redisFailed(err, "back up the redis add-on (SAVE)")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// copyFileOut streams one regular file of the container to w.
func (r *Runtime) copyFileOut(ctx context.Context, id, file string, w io.Writer) error {
	rc, _, err := r.cli.CopyFromContainer(ctx, id, file)
	if err != nil {
		return r.wrap("copy "+file+" from container", err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil {
		return fmt.Errorf("read %s from container: %w", file, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return engine.Errorf(engine.EUNAVAILABLE, "could not back up the redis add-on: %s is not a regular file", file)
	}
	if _, err := io.Copy(w, tr); err != nil {
		return fmt.Errorf("copy %s: %w", file, err)
	}
	return nil
}

// restoreTemp is the name the uploaded snapshot has in the data dir until
// it replaces the data.
const restoreTemp = ".quayside-restore.rdb"

// restoreRedis uploads and checks the snapshot while Redis runs, then stops
// the container, swaps the files and starts it again.
func (r *Runtime) restoreRedis(ctx context.Context, id string, spec AddonDumpSpec, rd io.Reader) error {
	conf, err := r.redisConfig(ctx, id, spec)
	if err != nil {
		return err
	}
	info, err := r.inspectOwned(ctx, id)
	if err != nil {
		return err
	}
	if !onVolume(info.Mounts, conf.dir) {
		return engine.Errorf(engine.ECONFLICT, "cannot restore the redis add-on: its data dir %s is not on a volume", conf.dir)
	}
	tmp := path.Join(conf.dir, restoreTemp)
	if err := r.uploadChecked(ctx, id, tmp, rd); err != nil {
		return err
	}
	return r.swapRedisData(ctx, id, info.Image, conf, spec)
}

// uploadChecked streams rd into file in the container and checks it with
// redis-check-rdb; a snapshot that fails is removed.
func (r *Runtime) uploadChecked(ctx context.Context, id, file string, rd io.Reader) error {
	err := r.execTool(ctx, id, toolRun{cmd: []string{"sh", "-c", `cat >"$1"`, "sh", file}, user: "redis", stdin: rd})
	if err == nil {
		out := &tailBuffer{max: stderrKeep}
		err = r.execTool(ctx, id, toolRun{cmd: []string{"redis-check-rdb", file}, user: "redis", stdout: out})
		if te, ok := err.(*ToolError); ok && te.Stderr == "" {
			te.Stderr = out.lastLines(4)
		}
	}
	if err == nil {
		return nil
	}
	_ = r.execTool(context.WithoutCancel(ctx), id, toolRun{cmd: []string{"rm", "-f", file}, user: "redis"})
	return toolFailed(err, engine.EINVALID, "the backup is not a snapshot this Redis can load; nothing was changed")
}

// onVolume reports whether dir is at or under the destination of a mount.
func onVolume(mounts []container.MountPoint, dir string) bool {
	for _, m := range mounts {
		d := path.Clean(m.Destination)
		if dir == d || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

// swapScript replaces the data with the uploaded snapshot, in the data dir
// $1: $2 the snapshot, $3 dbfilename, $4 appendonly (yes|no), $5 the AOF
// dir, $6 the AOF's base name. With appendonly on, the snapshot becomes
// the base of a new AOF (Redis 7 loads the AOF, not dump.rdb); the old AOF
// goes either way.
const swapScript = `set -eu
cd "$1"
tmp=$2 db=$3 aof=$4 aofdir=$5 aofname=$6
owner=$(stat -c %u:%g .)
rm -rf "$aofdir.quayside-new" "$aofdir.quayside-old"
chown "$owner" "$tmp"
chmod 600 "$tmp"
if [ "$aof" = yes ]; then
	mkdir -m 700 "$aofdir.quayside-new"
	cp -p "$tmp" "$aofdir.quayside-new/$aofname.1.base.rdb"
	printf 'file %s seq 1 type b\n' "$aofname.1.base.rdb" >"$aofdir.quayside-new/$aofname.manifest"
	chmod 600 "$aofdir.quayside-new/$aofname.manifest"
	chown -R "$owner" "$aofdir.quayside-new"
fi
if [ -e "$aofdir" ]; then mv "$aofdir" "$aofdir.quayside-old"; fi
if [ "$aof" = yes ]; then mv "$aofdir.quayside-new" "$aofdir"; fi
rm -f "$aofname"
mv -f "$tmp" "$db"
rm -rf "$aofdir.quayside-old"
`

// swapRedisData stops the container, runs swapScript in a helper container
// of the same image sharing its volumes, and starts the container again
// (also when the swap failed), then waits until Redis answers.
func (r *Runtime) swapRedisData(ctx context.Context, id, image string, conf redisConf, spec AddonDumpSpec) error {
	timeout := 30
	if err := r.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil {
		return r.wrap("stop redis add-on", err)
	}
	aof := "no"
	if conf.appendonly {
		aof = "yes"
	}
	swapErr := r.runHelper(ctx, id, image, []string{"sh", "-c", swapScript, "sh",
		conf.dir, restoreTemp, conf.dbfilename, aof, conf.appenddirname, conf.aofname})
	if err := r.cli.ContainerStart(context.WithoutCancel(ctx), id, container.StartOptions{}); err != nil {
		return r.wrap("start redis add-on", err)
	}
	if swapErr != nil {
		return engine.Wrapf(swapErr, engine.EUNAVAILABLE, "could not replace the redis add-on's data; it was started again with its old data: %s", engine.ErrorDetail(swapErr))
	}
	return r.waitRedis(ctx, id, spec)
}

// waitRedis polls PING until Redis answers PONG (it answers LOADING while
// it reads the snapshot), for up to two minutes.
func (r *Runtime) waitRedis(ctx context.Context, id string, spec AddonDumpSpec) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		reply, err := r.redisCLI(ctx, id, spec, "PING")
		if err == nil && reply == "PONG" {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return engine.Errorf(engine.EUNAVAILABLE, "the redis add-on did not answer after the restore (last: %s); see its logs", strings.TrimSpace(reply+" "+engine.ErrorDetail(err)))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
