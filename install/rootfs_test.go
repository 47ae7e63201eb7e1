package install

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/testenv"
)

// The test image: a Debian bookworm root file system made with debootstrap,
// as on a fresh server, plus what the tests look at (systemd for
// systemctl and systemd-analyze, iproute2 for ss) and what a server has
// anyway (git, curl). Changing the recipe changes the image's name.
const (
	rootfsSuite   = "bookworm"
	rootfsInclude = "systemd,git,ca-certificates,curl,iproute2"
	rootfsRecipe  = "debootstrap --variant=minbase --include=" + rootfsInclude + " " + rootfsSuite + "; slimmed; v1"
	imageRepo     = "quayside-test/install-rootfs"
	cacheDir      = "/var/cache/quayside-test"
	defaultPath   = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// testImage returns the name of the test image, making it when it is
// missing: from the cached root file system in cacheDir, else with
// debootstrap (about a minute). The image stays as a cache for later runs.
func testImage(t *testing.T) string {
	t.Helper()
	sum := sha256.Sum256([]byte(rootfsRecipe))
	hash := hex.EncodeToString(sum[:])[:12]
	image := imageRepo + ":" + hash
	if imageExists(image) {
		return image
	}
	require.NoError(t, os.MkdirAll(cacheDir, 0o755))
	unlock := lockFile(t, filepath.Join(cacheDir, "lock"))
	defer unlock()
	if imageExists(image) { // made by another test run while this one waited
		return image
	}
	dir := filepath.Join(cacheDir, "rootfs-"+hash)
	if _, err := os.Stat(dir + ".ok"); err != nil {
		if _, err := exec.LookPath("debootstrap"); err != nil {
			testenv.RequireOrSkip(t, "debootstrap is not installed (apt-get install debootstrap); it makes the test image once")
		}
		start := time.Now()
		makeRootfs(t, dir)
		t.Logf("debootstrapped %s into %s in %s", rootfsSuite, dir, time.Since(start).Round(time.Second))
	}
	start := time.Now()
	importRootfs(t, dir, image)
	t.Logf("imported %s in %s", image, time.Since(start).Round(time.Second))
	removeOtherImages(image)
	return image
}

func imageExists(image string) bool {
	return exec.Command("docker", "image", "inspect", image).Run() == nil
}

// lockFile holds an exclusive lock on path until the returned func runs, so
// two test runs do not debootstrap at once.
func lockFile(t *testing.T, path string) func() {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	return func() { f.Close() }
}

// makeRootfs debootstraps the root file system into dir and marks it
// complete with dir.ok; a partial dir from an interrupted run is redone.
func makeRootfs(t *testing.T, dir string) {
	require.NoError(t, os.RemoveAll(dir))
	mirror := debianMirror()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "--include="+rootfsInclude,
		rootfsSuite, dir, mirror).CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("debootstrap %s from %s failed (set QUAYSIDE_DEBIAN_MIRROR to another mirror): %v\n%s",
			rootfsSuite, mirror, err, tail(string(out), 30))
	}
	for _, p := range []string{"var/cache/apt/archives/*.deb", "var/lib/apt/lists/*", "usr/share/doc/*",
		"usr/share/man/*", "usr/share/info/*", "usr/share/locale/*"} {
		matches, _ := filepath.Glob(filepath.Join(dir, p))
		for _, m := range matches {
			require.NoError(t, os.RemoveAll(m))
		}
	}
	require.NoError(t, os.WriteFile(dir+".ok", []byte(rootfsRecipe+"\n"), 0o644))
}

// importRootfs makes the Docker image from the root file system.
func importRootfs(t *testing.T, dir, image string) {
	tar := exec.Command("tar", "--numeric-owner", "-C", dir, "-cf", "-", ".")
	imp := exec.Command("docker", "import", "--change", "ENV PATH="+defaultPath,
		"--change", "LABEL io.quayside.test=install-rootfs", "-", image)
	pipe, err := tar.StdoutPipe()
	require.NoError(t, err)
	imp.Stdin = pipe
	var impOut strings.Builder
	imp.Stdout, imp.Stderr = &impOut, &impOut
	require.NoError(t, tar.Start())
	require.NoError(t, imp.Run(), "docker import: %s", impOut.String())
	require.NoError(t, tar.Wait(), "tar of %s", dir)
}

// removeOtherImages removes test images made from older recipes.
func removeOtherImages(keep string) {
	out, err := exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", imageRepo).Output()
	if err != nil {
		return
	}
	for _, img := range strings.Fields(string(out)) {
		if img != keep {
			_ = exec.Command("docker", "rmi", img).Run()
		}
	}
}

// debianMirror is the mirror debootstrap uses: QUAYSIDE_DEBIAN_MIRROR, else
// the apt source of this machine that serves bookworm, else any Debian
// source, else deb.debian.org.
func debianMirror() string {
	if m := os.Getenv("QUAYSIDE_DEBIAN_MIRROR"); m != "" {
		return m
	}
	anyDebian := ""
	for _, s := range aptSources() {
		if s[1] == rootfsSuite {
			return s[0]
		}
		if anyDebian == "" && strings.HasSuffix(strings.TrimSuffix(s[0], "/"), "/debian") {
			anyDebian = s[0]
		}
	}
	if anyDebian != "" {
		return anyDebian
	}
	return "http://deb.debian.org/debian"
}

// aptSources returns the (URI, suite) pairs of this machine's enabled deb
// sources, from one-line .list files and deb822 .sources files.
func aptSources() [][2]string {
	var out [][2]string
	lists, _ := filepath.Glob("/etc/apt/sources.list.d/*.list")
	for _, f := range append([]string{"/etc/apt/sources.list"}, lists...) {
		for _, line := range fileLines(f) {
			fields := strings.Fields(line)
			if len(fields) < 3 || fields[0] != "deb" {
				continue
			}
			fields = fields[1:]
			if strings.HasPrefix(fields[0], "[") { // options: [arch=amd64 signed-by=...]
				for len(fields) > 0 && !strings.HasSuffix(fields[0], "]") {
					fields = fields[1:]
				}
				fields = fields[min(1, len(fields)):]
			}
			if len(fields) >= 2 {
				out = append(out, [2]string{fields[0], fields[1]})
			}
		}
	}
	deb822, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range deb822 {
		out = append(out, deb822Sources(fileLines(f))...)
	}
	return out
}

// deb822Sources reads the stanzas of a .sources file.
func deb822Sources(lines []string) [][2]string {
	var out [][2]string
	stanza := map[string]string{}
	flush := func() {
		if strings.Contains(" "+stanza["types"]+" ", " deb ") && !strings.EqualFold(stanza["enabled"], "no") {
			for _, u := range strings.Fields(stanza["uris"]) {
				for _, s := range strings.Fields(stanza["suites"]) {
					out = append(out, [2]string{u, s})
				}
			}
		}
		stanza = map[string]string{}
	}
	for _, line := range append(lines, "") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, " ") {
			stanza[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

func fileLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sha256File returns the hex SHA-256 of a file.
func sha256File(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%x", sum)
}
