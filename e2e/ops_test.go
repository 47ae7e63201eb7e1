package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/image"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/dockertest"
)

// TestBackupRestore backs up a running server after a push and a config
// change, wipes it (data dir and Docker objects, as on a fresh server),
// restores, and checks the app serves again with its config: once with the
// images in the backup, once rebuilding them from the repository.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	for _, withImages := range []bool{true, false} {
		name := "rebuilt from the repository"
		if withImages {
			name = "with images"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t)
			repo := sampleRepo(t, "one")
			s.mustPush(repo, "shop")
			s.mustCLI("config", "set", "shop", "GREETING=!")
			require.Equal(t, "one!", s.body("shop", "/"))
			file := filepath.Join(t.TempDir(), "backup.tar.gz")
			args := []any{"backup", file}
			if withImages {
				args = append(args, "--with-images")
			}
			out := s.mustCLI(args...)
			assert.Contains(t, out, "Backed up 1 app (shop) of instance "+s.instance)
			fi, err := os.Stat(file)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

			out, err = s.cli("restore", file)
			require.Error(t, err, "restore refuses while the daemon runs")
			assert.Contains(t, out, "daemon is running")

			s.wipeForRestore()
			out = s.mustCLI("restore", file)
			assert.Contains(t, out, "Restored the backup")
			s.start()
			waitFor(t, 90*time.Second, "the restored app to serve", func() bool {
				code, body, err := s.get("shop", "/")
				return err == nil && code == 200 && body == "one!"
			})
			if !withImages {
				assert.Contains(t, s.mustCLI("events", "shop"), "rebuilt from commit")
			}
			s.mustPush(repo, "shop") // pushing still works: the repository came back
		})
	}
}

// wipeForRestore stops the daemon and removes its data dir and its Docker objects.
func (s *server) wipeForRestore() {
	s.t.Helper()
	s.stop(os.Interrupt)
	cli := dockerClient(s.t)
	defer cli.Close()
	require.NoError(s.t, dockertest.RemoveInstance(context.Background(), cli, s.instance))
	require.NoError(s.t, os.RemoveAll(s.data))
}

// opsCLI runs quayside with data as its data dir.
func opsCLI(data string, args ...string) (string, error) {
	cmd := exec.Command(quaysideBin, args...)
	cmd.Env = append(os.Environ(), "QUAYSIDE_DATA="+data)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func opsExitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return 0
}

// TestRestoreRefusesBadInput: a truncated backup, a file that is no
// backup, and a data dir that already has apps.
func TestRestoreRefusesBadInput(t *testing.T) {
	s := startServer(t)
	s.mustPush(sampleRepo(t, "one"), "shop")
	file := filepath.Join(t.TempDir(), "backup.tar.gz")
	s.mustCLI("backup", file)
	whole, err := os.ReadFile(file)
	require.NoError(t, err)

	t.Run("a truncated backup", func(t *testing.T) {
		cut := filepath.Join(t.TempDir(), "cut.tar.gz")
		require.NoError(t, os.WriteFile(cut, whole[:len(whole)*2/3], 0o600))
		data := t.TempDir()
		out, err := opsCLI(data, "restore", cut)
		require.Error(t, err)
		assert.Equal(t, 2, opsExitCode(err))
		assert.Contains(t, out, "the backup is incomplete")
		assert.NoFileExists(t, filepath.Join(data, "quayside.db"), "nothing was restored")
	})
	t.Run("an encrypted backup with the wrong passphrase, then the right one", func(t *testing.T) {
		dir := t.TempDir()
		enc, pass, wrong := filepath.Join(dir, "backup.tar.gz.age"), filepath.Join(dir, "pass"), filepath.Join(dir, "wrong")
		require.NoError(t, os.WriteFile(pass, []byte("the right passphrase\n"), 0o600))
		require.NoError(t, os.WriteFile(wrong, []byte("the wrong passphrase\n"), 0o600))
		out := s.mustCLI("backup", "--encrypt", "--passphrase-file", pass, enc)
		assert.Contains(t, out, "; encrypted")
		raw, err := os.ReadFile(enc)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n")))

		data := t.TempDir()
		out, err = opsCLI(data, "restore", "--passphrase-file", wrong, enc)
		require.Error(t, err)
		assert.Equal(t, 5, opsExitCode(err), out)
		assert.Contains(t, out, "the passphrase does not open it: nothing was restored")
		entries, _ := os.ReadDir(data)
		assert.Empty(t, entries, "nothing was written")

		out, err = opsCLI(data, "restore", "--passphrase-file", pass, enc)
		require.NoError(t, err, out)
		assert.Contains(t, out, "Restored the backup")
	})
	t.Run("a backup that expands past --max-size", func(t *testing.T) {
		data := t.TempDir()
		out, err := opsCLI(data, "restore", "--max-size", "1KiB", file)
		require.Error(t, err)
		assert.Equal(t, 2, opsExitCode(err))
		assert.Contains(t, out, "past the limit of 1.0 KiB")
		assert.NoFileExists(t, filepath.Join(data, "quayside.db"), "nothing was restored")
	})
	t.Run("a file that is not a backup", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.tar.gz")
		require.NoError(t, os.WriteFile(junk, []byte("hello"), 0o600))
		out, err := opsCLI(t.TempDir(), "restore", junk)
		require.Error(t, err)
		assert.Contains(t, out, "not a gzip file")
	})
	t.Run("a data dir with apps, unless forced", func(t *testing.T) {
		s.stop(os.Interrupt)
		out, err := s.cli("restore", file)
		require.Error(t, err)
		assert.Equal(t, 4, opsExitCode(err))
		assert.Contains(t, out, "already has 1 app (shop)")
		assert.Contains(t, out, "--force")
		out = s.mustCLI("restore", "--force", file)
		assert.Contains(t, out, ".replaced-")
	})
}

// TestGarbageCollection pushes three releases, restarts with a retention
// of one, and checks that quayside gc removes the two older release
// images, keeps the current one, and leaves an unlabelled image alone.
func TestGarbageCollection(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	repo := sampleRepo(t, "v1")
	for i := 1; i <= 3; i++ {
		writeFile(t, repo, "message.txt", "v"+string(rune('0'+i)))
		commitAll(t, repo, "release")
		s.mustPush(repo, "shop")
	}
	tag := func(n int) string { return "qs-" + s.instance + "/shop:v" + string(rune('0'+n)) }
	for i := 1; i <= 3; i++ {
		require.True(t, opsImageExists(t, tag(i)), "v%d keeps its image with the default retention", i)
	}
	foreign := "qs-test-" + s.instance + "/unlabelled:latest"
	opsImportImage(t, foreign)

	s.stop(os.Interrupt)
	s.flags = append(s.flags, "--keep-releases", "1")
	s.start()
	out := s.mustCLI("gc")
	assert.Contains(t, out, "Removed 2 images")
	assert.Contains(t, out, tag(1))
	assert.Contains(t, out, "v1 is older than the newest 1 releases")
	assert.False(t, opsImageExists(t, tag(1)))
	assert.False(t, opsImageExists(t, tag(2)))
	assert.True(t, opsImageExists(t, tag(3)), "the current release keeps its image")
	assert.True(t, opsImageExists(t, foreign), "an image without Quayside's labels is never touched")
	assert.Equal(t, "v3", s.body("shop", "/"))

	var rep struct {
		Removed []struct{ Kind, Name string }
		Bytes   int64 `json:"bytes_freed"`
	}
	require.NoError(t, json.Unmarshal([]byte(s.mustCLI("gc", "--json")), &rep))
	assert.Empty(t, rep.Removed, "a second collection finds nothing")
	out, err := s.cli("rollback", "shop", "v1")
	require.Error(t, err)
	assert.Contains(t, out, "image of v1 was removed")
}

func opsImageExists(t *testing.T, ref string) bool {
	cli := dockerClient(t)
	defer cli.Close()
	_, err := cli.ImageInspect(context.Background(), ref)
	return err == nil
}

// opsImportImage imports a one-file image without labels as ref, removed
// when the test ends.
func opsImportImage(t *testing.T, ref string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: 2}))
	_, err := tw.Write([]byte("hi"))
	require.NoError(t, err)
	require.NoError(t, tw.Close())
	cli := dockerClient(t)
	defer cli.Close()
	rc, err := cli.ImageImport(context.Background(), image.ImportSource{Source: &buf, SourceName: "-"}, ref, image.ImportOptions{})
	require.NoError(t, err)
	_, _ = bytes.NewBuffer(nil).ReadFrom(rc)
	rc.Close()
	t.Cleanup(func() {
		cli := dockerClient(t)
		defer cli.Close()
		_, _ = cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true})
	})
}

// TestDoctor runs the checks against a running daemon and a stopped one.
func TestDoctor(t *testing.T) {
	s := startServer(t)
	addrs := []string{"--http-addr", s.httpAddr, "--https-addr", s.httpsAddr, "--ssh-addr", s.sshAddr, "--settings", "/nonexistent"}
	out, err := s.cli(append([]any{"doctor"}, opsArgs(addrs)...)...)
	if err != nil {
		assert.Contains(t, out, "ERROR", "doctor fails only with an error finding:\n%s", out)
	}
	for _, want := range []string{"docker", "Docker ", "Quayside listens", "daemon", "disk", "memory", "certificates", "clock", "local mode"} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, 3, strings.Count(out, "Quayside listens"), "http, https and ssh:\n%s", out)

	s.stop(os.Interrupt)
	out, _ = s.cli(append([]any{"doctor", "--json"}, opsArgs(addrs)...)...)
	var findings []struct{ Check, Level, Detail, Fix string }
	require.NoError(t, json.Unmarshal([]byte(out), &findings), out)
	levels := map[string]string{}
	for _, f := range findings {
		levels[f.Check] = f.Level
		if f.Level == "warn" || f.Level == "error" {
			assert.NotEmpty(t, f.Fix, "every problem comes with a fix: %+v", f)
		}
	}
	assert.Equal(t, "warn", levels["daemon"])
	assert.Equal(t, "ok", levels["docker"])
}

func opsArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
