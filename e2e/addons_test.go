package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The add-on images these tests run (make addons builds them).
const (
	postgresImage = "quayside/postgres:15-offline"
	redisImage    = "quayside/redis:7-offline"
)

var addonApp struct {
	once sync.Once
	bin  string
	err  error
}

// addonAppRepo makes a repository of testdata/addonapp on the Postgres
// image (for its psql), skipping the test when the add-on images are missing.
func addonAppRepo(t *testing.T, note string) string {
	t.Helper()
	cli := dockerClient(t)
	defer cli.Close()
	for _, ref := range []string{postgresImage, redisImage} {
		if _, err := cli.ImageInspect(t.Context(), ref); err != nil {
			t.Skipf("%s is not in Docker: run make addons", ref)
		}
	}
	addonApp.once.Do(func() {
		addonApp.bin = filepath.Join(os.TempDir(), "qs-e2e-addonapp")
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", addonApp.bin, "./testdata/addonapp")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			addonApp.err = err
			t.Logf("%s", out)
		}
	})
	require.NoError(t, addonApp.err)
	dir := t.TempDir()
	bin, err := os.ReadFile(addonApp.bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "addonapp"), bin, 0o755))
	writeFile(t, dir, "Dockerfile", "FROM "+postgresImage+"\nCOPY addonapp /addonapp\nEXPOSE 5000\nENTRYPOINT [\"/addonapp\"]\nCMD []\n")
	writeFile(t, dir, "note.txt", note)
	gitIn(t, dir, "init", "-q", "--initial-branch=main")
	commitAll(t, dir, "first")
	return dir
}

// waitState polls app's /state until it says want.
func (s *server) waitState(app, want string) {
	s.t.Helper()
	var last string
	waitFor(s.t, 60*time.Second, "state "+want+" (last: "+last+")", func() bool {
		_, body, err := s.get(app, "/state")
		last = strings.TrimSpace(body)
		return err == nil && last == want
	})
}

// TestAddonsKeepData: an app gets DATABASE_URL and REDIS_URL from two
// add-ons through config releases and keeps rows and a counter in them;
// a redeploy, a rollback, a restart of the add-on containers and a kill -9
// of the daemon leave the data there; destroying the app needs
// --with-addons. psql and redis-cli run through the CLI.
func TestAddonsKeepData(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	removeAddonsAtEnd(t, s)
	repo := addonAppRepo(t, "one")
	s.mustPush(repo, "shop")

	out := s.mustCLI("addons", "create", "shop", "postgres")
	assert.Contains(t, out, "DATABASE_URL")
	assert.Contains(t, out, postgresImage, "it says which image it runs")
	s.mustCLI("addons", "create", "shop", "redis", "--memory", "64M")
	cfg := s.mustCLI("config", "shop")
	assert.Contains(t, cfg, "DATABASE_URL")
	assert.Contains(t, cfg, "REDIS_URL")

	s.body("shop", "/hit")
	assert.Equal(t, "rows=2 hits=2", strings.TrimSpace(s.body("shop", "/hit")))

	writeFile(t, repo, "note.txt", "two")
	commitAll(t, repo, "second")
	s.mustPush(repo, "shop")
	s.waitState("shop", "rows=2 hits=2")
	s.mustCLI("rollback", "shop")
	s.waitState("shop", "rows=2 hits=2")

	dout, err := exec.Command("docker", "restart", "qs-"+s.instance+"-addon-shop-db", "qs-"+s.instance+"-addon-shop-redis").CombinedOutput()
	require.NoError(t, err, "%s", dout)
	s.waitState("shop", "rows=2 hits=2")

	s.stop(syscall.SIGKILL)
	dout, err = exec.Command("docker", "rm", "-f", "qs-"+s.instance+"-addon-shop-redis").CombinedOutput()
	require.NoError(t, err, "%s", dout)
	s.start()
	s.waitState("shop", "rows=2 hits=2")
	assert.Equal(t, "rows=3 hits=3", strings.TrimSpace(s.body("shop", "/hit")))

	list := s.mustCLI("addons", "list", "shop")
	assert.Contains(t, list, "db")
	assert.Contains(t, list, "running")
	info := s.mustCLI("addons", "info", "shop", "db")
	assert.NotContains(t, info, "postgres://", "no URL unless revealed")
	assert.Contains(t, s.mustCLI("addons", "info", "shop", "db", "--reveal"), "postgres://app:")

	assert.Contains(t, s.mustCLI("addons", "psql", "shop", "-c", "SELECT count(*) FROM hits"), "3")
	assert.Contains(t, s.mustCLI("addons", "psql", "shop", "db", stdin("SELECT 40 + 2 AS answer;")), "42")
	out, err = s.cli("addons", "psql", "shop", "-c", "SELECT * FROM nope")
	require.Error(t, err, "psql's failure is the CLI's: %s", out)
	assert.Contains(t, out, "nope")
	assert.Contains(t, s.mustCLI("addons", "redis-cli", "shop", "redis", "--", "GET", "hits"), "3")

	out, err = s.cli("apps", "destroy", "shop", "--confirm", "shop")
	require.Error(t, err)
	assert.Contains(t, out, "--with-addons")
	s.mustCLI("apps", "destroy", "shop", "--confirm", "shop", "--with-addons", "--no-backup")
	vols, err := exec.Command("docker", "volume", "ls", "-q", "--filter", "label=io.quayside.addon.instance="+s.instance).Output()
	require.NoError(t, err)
	assert.Empty(t, strings.TrimSpace(string(vols)), "the add-ons' volumes went with them")
}

// removeAddonsAtEnd removes the add-on containers and volumes of s's
// instance when the test ends (the harness's clean-up does not see them).
func removeAddonsAtEnd(t *testing.T, s *server) {
	t.Cleanup(func() {
		if s.instance == "" {
			return
		}
		label := "label=io.quayside.addon.instance=" + s.instance
		ids, _ := exec.Command("docker", "ps", "-aq", "--filter", label).Output()
		if f := strings.Fields(string(ids)); len(f) > 0 {
			_ = exec.Command("docker", append([]string{"rm", "-f"}, f...)...).Run()
		}
		vols, _ := exec.Command("docker", "volume", "ls", "-q", "--filter", label).Output()
		if f := strings.Fields(string(vols)); len(f) > 0 {
			_ = exec.Command("docker", append([]string{"volume", "rm", "-f"}, f...)...).Run()
		}
	})
}

// TestAddonBackupRestore: backups of both add-ons, more writes, restores
// (after a confirmation): the state at the backup returns, and the data
// replaced was backed up first. A backup name with ../ is refused. A full
// server backup and restore onto a wiped server brings the data back.
func TestAddonBackupRestore(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	removeAddonsAtEnd(t, s)
	repo := addonAppRepo(t, "backups")
	s.mustPush(repo, "shop")
	s.mustCLI("addons", "create", "shop", "postgres")
	s.mustCLI("addons", "create", "shop", "redis")
	assert.Equal(t, "rows=1 hits=1", strings.TrimSpace(s.body("shop", "/hit")))

	out, err := s.cli("addons", "backup", "shop", "db")
	if err != nil && strings.Contains(out, "backups are not available") {
		t.Skip("this build's Docker runtime has no add-on dump support (engine/docker/addon_backup.go)")
	}
	require.NoError(t, err, out)
	s.mustCLI("addons", "backup", "shop", "redis")
	s.body("shop", "/hit")
	assert.Equal(t, "rows=3 hits=3", strings.TrimSpace(s.body("shop", "/hit")))

	for _, name := range []string{"db", "redis"} {
		var backups []struct{ Name, Label string }
		require.NoError(t, json.Unmarshal([]byte(s.mustCLI("addons", "backups", "shop", name, "--json")), &backups))
		require.Len(t, backups, 1)
		assert.Equal(t, "manual", backups[0].Label)
		out, err := s.cli("addons", "restore", "shop", name, backups[0].Name, stdin(""))
		require.Error(t, err, "no confirmation, no restore: %s", out)
		s.mustCLI("addons", "restore", "shop", name, backups[0].Name, "--confirm", name)
		out, err = s.cli("addons", "restore", "shop", name, "../../../etc/passwd", "--confirm", name)
		require.Error(t, err)
		assert.Contains(t, out, "not the name of a backup")
	}
	s.waitState("shop", "rows=1 hits=1")
	list := s.mustCLI("addons", "backups", "shop", "db")
	assert.Contains(t, list, "pre-restore", "the replaced data was kept")
	entries, err := os.ReadDir(filepath.Join(s.data, "addons", "shop", "db"))
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), e.Name())
	}

	// A full server backup takes fresh add-on dumps and holds them; on a
	// wiped server (no volumes), the restore brings the rows back.
	assert.Equal(t, "rows=2 hits=2", strings.TrimSpace(s.body("shop", "/hit")))
	file := filepath.Join(t.TempDir(), "server.tar.gz")
	out = s.mustCLI("backup", file)
	assert.Contains(t, out, "Backed up add-on db of shop")
	s.wipeForRestore()
	s.mustCLI("restore", file)
	s.start()
	waitFor(t, 120*time.Second, "the restored app with its add-ons' data", func() bool {
		_, body, err := s.get("shop", "/state")
		return err == nil && strings.TrimSpace(body) == "rows=2 hits=2"
	})
}
