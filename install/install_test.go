package install

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/install/upgrade"
	"github.com/quayside/quayside/internal/testenv"
)

// Where the installer puts things (install.sh).
const (
	binPath   = "/usr/local/bin/quayside"
	dataDir   = "/var/lib/quayside"
	confPath  = "/etc/quayside/quayside.env"
	unitPath  = "/etc/systemd/system/quayside.service"
	wantsLink = "/etc/systemd/system/multi-user.target.wants/quayside.service"
	localBin  = "QUAYSIDE_BINARY=/tmp/quayside"
	newBin    = "QUAYSIDE_BINARY=/tmp/quayside-new"
)

// TestInstall runs install.sh for real, as root, in containers made from a
// debootstrapped Debian bookworm root file system, with a local binary and
// Docker present. Most boxes have no systemd running (as in any container):
// the installer must then write and enable the unit and say it could not
// start it. One box boots systemd, when this machine allows it, and the
// daemon really starts under the unit.
func TestInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.RequireOrSkip(t, "needs root: the test image is made with debootstrap (run: sudo go test ./install/)")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		testenv.RequireOrSkip(t, "no Docker daemon answers (start one: make docker)")
	}
	binc := buildBinary(t)
	start := time.Now()
	image := testImage(t)
	t.Logf("test image %s ready in %s", image, time.Since(start).Round(100*time.Millisecond))
	dist := <-binc
	bin := dist.bin
	require.NotEmpty(t, bin, "the quayside binary did not build")
	bin2 := upgradedBinary(t, bin)
	var times benchTimes

	t.Run("install, upgrade, uninstall and purge without systemd", func(t *testing.T) {
		testLifecycle(t, image, bin, bin2, &times)
	})
	t.Run("sslip.io domain by default and a re-run completes an interrupted install", func(t *testing.T) {
		testInterrupted(t, image, bin)
	})
	t.Run("asks for the domain and the e-mail on a terminal", func(t *testing.T) {
		testTerminal(t, image, bin)
	})
	t.Run("downloads the release and checks it against SHA256SUMS", func(t *testing.T) {
		testDownload(t, image, bin)
	})
	t.Run("installs the release make dist made, signature and all", func(t *testing.T) {
		testDist(t, image, dist)
	})
	t.Run("refuses bad input and changes nothing", func(t *testing.T) {
		testBadInput(t, image, bin)
	})
	t.Run("installs git and Docker from apt when they are missing", func(t *testing.T) {
		testAptPackages(t, image, bin)
	})
	t.Run("under systemd the daemon starts, restarts on upgrade and stops", func(t *testing.T) {
		testSystemd(t, image, bin, bin2, &times)
	})
	times.report(t)
}

// distRelease is what scripts/dist.sh (make dist) made for this
// architecture: the release directory and the public key that signed it.
type distRelease struct {
	bin, dir, pubkey string
}

// buildBinary builds the release with scripts/dist.sh, the recipe of
// `make dist`, for this architecture only, in the background, and sends it
// (bin empty when the build failed). QUAYSIDE_INSTALL_TEST_BINARY names a
// binary to use instead (then there is no release directory).
func buildBinary(t *testing.T) <-chan distRelease {
	c := make(chan distRelease, 1)
	if p := os.Getenv("QUAYSIDE_INSTALL_TEST_BINARY"); p != "" {
		c <- distRelease{bin: p}
		return c
	}
	dir := t.TempDir()
	go func() {
		start := time.Now()
		cmd := exec.Command("sh", "scripts/dist.sh")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "DIST="+dir, "ARCHES="+runtime.GOARCH, "VERSION=install-test", "QUAYSIDE_SIGNING_KEY=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Logf("scripts/dist.sh: %v\n%s", err, stderr.String())
			c <- distRelease{}
			return
		}
		t.Logf("built the release with scripts/dist.sh in %s", time.Since(start).Round(100*time.Millisecond))
		c <- distRelease{
			bin:    filepath.Join(dir, "quayside-linux-"+runtime.GOARCH),
			dir:    dir,
			pubkey: strings.TrimPrefix(strings.TrimSpace(string(out)), "QUAYSIDE_PUBKEY="),
		}
	}()
	return c
}

// upgradedBinary returns a copy of bin with bytes appended: it runs the same
// and has another SHA-256, which tells the upgrade replaced the file.
func upgradedBinary(t *testing.T, bin string) string {
	data, err := os.ReadFile(bin)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "quayside-new")
	require.NoError(t, os.WriteFile(out, append(data, "\n# quayside install test: the upgrade\n"...), 0o755))
	return out
}

func testLifecycle(t *testing.T, image, bin, bin2 string, times *benchTimes) {
	b := newBox(t, image, boxOptions{})
	b.cp(bin, "/tmp/quayside")
	b.cp(bin2, "/tmp/quayside-new")

	r := b.install([]string{localBin}, "--domain", "Example.COM", "--email", "ops@example.com")
	require.Equal(t, 0, r.code, r.String())
	times.fresh = r.took
	t.Logf("install took %s (no systemd: checks, user, files, unit)", r.took.Round(time.Millisecond))
	assert.Contains(t, r.stderr, "systemd is not running here")
	assert.Contains(t, r.stderr, "systemctl start quayside")
	assert.Contains(t, r.stdout, "Dashboard:  https://quayside.example.com/")
	assert.Contains(t, r.stdout, "git remote add quayside ssh://git@example.com:2222/myapp")
	assert.Contains(t, r.stdout, "sudo quayside users add ops@example.com --role admin")
	assertInstalled(t, b, sha256File(t, bin), "example.com", "ops@example.com")
	uid := b.mustSh("id -u quayside")

	b.mustSh("echo keep > " + dataDir + "/marker && chown quayside: " + dataDir + "/marker")
	b.mustSh("echo QUAYSIDE_LOG_LEVEL=debug >> " + confPath)
	r = b.install([]string{newBin}) // no flags: the settings of the first run stay
	require.Equal(t, 0, r.code, r.String())
	times.upgrade = r.took
	t.Logf("upgrade took %s (no systemd)", r.took.Round(time.Millisecond))
	assert.Contains(t, r.stdout, "upgraded "+binPath)
	assertInstalled(t, b, sha256File(t, bin2), "example.com", "ops@example.com")
	assert.Equal(t, "keep", b.file(dataDir+"/marker"), "the upgrade keeps the data")
	assert.Contains(t, b.file(confPath), "\nQUAYSIDE_LOG_LEVEL=debug\n", "the upgrade keeps settings added by hand")
	assert.Equal(t, uid, b.mustSh("id -u quayside"))

	r = b.install(nil, "--uninstall")
	require.Equal(t, 0, r.code, r.String())
	times.uninstall = r.took
	for _, p := range []string{binPath, unitPath, wantsLink} {
		assert.False(t, b.exists(p), "--uninstall removes %s", p)
	}
	assert.Equal(t, "keep", b.file(dataDir+"/marker"), "--uninstall keeps the data")
	assert.True(t, b.exists(confPath), "--uninstall keeps the settings")
	assert.Equal(t, uid, b.mustSh("id -u quayside"), "--uninstall keeps the user")

	r = b.install(nil, "--uninstall", "--purge")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "docker ps -a --filter label=io.quayside.instance", "no daemon answered: it says how to find the containers")
	assert.Empty(t, leftovers(b), "--uninstall --purge leaves nothing")
}

// testInterrupted kills the installer half-way (a systemctl that kills its
// parent, like a lost SSH session or power), then runs it again.
func testInterrupted(t *testing.T, image, bin string) {
	b := newBox(t, image, boxOptions{})
	b.cp(bin, "/tmp/quayside")
	b.cp(writeExecutable(t, "systemctl", "#!/bin/sh\nkill -KILL $PPID\nexit 1\n"), "/tmp/crash/systemctl")
	env := []string{localBin, "QUAYSIDE_PUBLIC_IP=203.0.113.7"}

	r := b.install(append(env, "PATH=/tmp/crash:"+defaultPath))
	require.Equal(t, 137, r.code, "the installer was killed at systemctl enable\n%s", r)
	assert.True(t, b.exists(unitPath), "killed after writing the unit")
	assert.False(t, b.exists(wantsLink), "killed before enabling it")

	r = b.install(env)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "domain: 203.0.113.7.sslip.io")
	assert.NotContains(t, r.stdout, "DNS: point", "sslip.io names need no DNS records")
	assert.Contains(t, r.stdout, "sudo quayside users add admin@203.0.113.7.sslip.io --role admin",
		"without an e-mail the first admin is admin@<domain>")
	assertInstalled(t, b, sha256File(t, bin), "203.0.113.7.sslip.io", "")
}

// testTerminal answers the installer's questions through a terminal
// (script(1) gives it one; the answers come in on the terminal).
func testTerminal(t *testing.T, image, bin string) {
	b := newBox(t, image, boxOptions{})
	b.cp(bin, "/tmp/quayside")
	env := []string{localBin, "QUAYSIDE_PUBLIC_IP=198.51.100.4"}
	onTerminal := func(answers string, args ...string) result {
		cmd := strings.Join(append([]string{"sh", "/tmp/install.sh"}, args...), " ")
		return b.exec(execOptions{env: env}, "sh", "-c", "printf '"+answers+"' | script -qec '"+cmd+"' /dev/null")
	}
	const question = "Domain for Quayside: apps at <app>.<domain>, the dashboard at quayside.<domain> [198.51.100.4.sslip.io]:"

	r := onTerminal(`Example.ORG\nops@example.org\n`)
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, question)
	assert.Contains(t, r.stdout, "E-mail for Let's Encrypt and the first admin (empty: none):")
	assertInstalled(t, b, sha256File(t, bin), "example.org", "ops@example.org")

	require.Equal(t, 0, b.install(nil, "--uninstall", "--purge").code)
	r = onTerminal(`\n\n`) // Enter, Enter: the defaults
	require.Equal(t, 0, r.code, r.String())
	assertInstalled(t, b, sha256File(t, bin), "198.51.100.4.sslip.io", "")

	require.Equal(t, 0, b.install(nil, "--uninstall", "--purge").code)
	r = onTerminal(``, "--yes")
	require.Equal(t, 0, r.code, r.String())
	assert.NotContains(t, r.stdout, "Domain for Quayside", "--yes asks nothing")
	assertInstalled(t, b, sha256File(t, bin), "198.51.100.4.sslip.io", "")
}

func testDownload(t *testing.T, image, bin string) {
	b := newBox(t, image, boxOptions{})
	sum := sha256File(t, bin)
	release(b, bin, sum+"  quayside-linux-"+runtime.GOARCH+"\n"+strings.Repeat("ab", 32)+"  quayside-linux-other\n")
	// As `curl -fsSL .../install.sh | sh -s -- ...`: the script on standard input.
	r := b.exec(execOptions{env: []string{"QUAYSIDE_RELEASE_URL=file:///srv/release/", testPubkey}}, "sh", "-c",
		"cat /tmp/install.sh | sh -s -- --domain example.com --version v9.9.9")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "downloading file:///srv/release/quayside-linux-"+runtime.GOARCH)
	assert.Contains(t, r.stdout, "signature of SHA256SUMS verified")
	assert.Contains(t, r.stdout, "SHA-256 verified: "+sum)
	assertInstalled(t, b, sum, "example.com", "")
}

// testDist installs the release scripts/dist.sh made (the binary,
// SHA256SUMS and SHA256SUMS.sig, signed with its dev key), as the README
// tells a stranger to: the installer is given the dev key the script
// printed, and checks the signature and the binary's line. The built-in
// release key does not verify it.
func testDist(t *testing.T, image string, dist distRelease) {
	if dist.dir == "" {
		t.Skip("QUAYSIDE_INSTALL_TEST_BINARY names a binary: no release directory to install")
	}
	require.Regexp(t, `^[A-Za-z0-9+/]{43}=$`, dist.pubkey, "dist.sh prints QUAYSIDE_PUBKEY=<key>")
	b := newBox(t, image, boxOptions{})
	b.mustSh("mkdir -p /srv/dist")
	for _, f := range []string{"quayside-linux-" + runtime.GOARCH, "SHA256SUMS", "SHA256SUMS.sig"} {
		b.cp(filepath.Join(dist.dir, f), "/srv/dist/"+f)
	}
	url := "QUAYSIDE_RELEASE_URL=file:///srv/dist"

	r := b.install([]string{url}, "--domain", "example.com")
	require.Equal(t, 1, r.code, "the dev key is not the release key\n%s", r)
	assert.Contains(t, r.stderr, "does not verify with the release key")
	assert.False(t, b.exists(binPath), "nothing installed")

	r = b.install([]string{url, "QUAYSIDE_PUBKEY=" + dist.pubkey}, "--domain", "example.com")
	require.Equal(t, 0, r.code, r.String())
	assert.Contains(t, r.stdout, "signature of SHA256SUMS verified")
	sum := sha256File(t, dist.bin)
	assert.Contains(t, r.stdout, "SHA-256 verified: "+sum)
	assert.Contains(t, r.stdout, "binary: quayside install-test (")
	assertInstalled(t, b, sum, "example.com", "")
}

// The tests' release key: release signs with it, and the installer
// trusts it through testPubkey.
var (
	testReleasePub, testReleaseKey, _ = ed25519.GenerateKey(rand.Reader)
	testPubkey                        = "QUAYSIDE_PUBKEY=" + upgrade.EncodePublicKey(testReleasePub)
)

// release puts bin into /srv/release of the box as a release for this
// architecture, with the SHA256SUMS given, signed by testReleaseKey.
func release(b *box, bin, sums string) {
	releaseSigned(b, bin, sums, upgrade.Sign(testReleaseKey, []byte(sums)))
}

// releaseSigned is release with the SHA256SUMS.sig given.
func releaseSigned(b *box, bin, sums string, sig []byte) {
	b.mustSh("mkdir -p /srv/release")
	b.cp(bin, "/srv/release/quayside-linux-"+runtime.GOARCH)
	b.cp(writeExecutable(b.t, "SHA256SUMS", sums), "/srv/release/SHA256SUMS")
	b.cp(writeExecutable(b.t, "SHA256SUMS.sig", string(sig)), "/srv/release/SHA256SUMS.sig")
}

// assertInstalled checks what an install leaves: the binary, the user, the
// data dir, the settings and the unit, enabled, that systemd accepts.
func assertInstalled(t *testing.T, b *box, sha, domain, email string) {
	t.Helper()
	assert.Equal(t, "755 root root", b.mustSh("stat -c '%a %U %G' "+binPath))
	assert.Equal(t, sha, strings.Fields(b.mustSh("sha256sum " + binPath))[0])
	pw := strings.Split(b.mustSh("getent passwd quayside"), ":")
	require.Len(t, pw, 7)
	uid, err := strconv.Atoi(pw[2])
	require.NoError(t, err)
	assert.Less(t, uid, 1000, "quayside is a system user")
	assert.Equal(t, dataDir, pw[5], "home")
	assert.Equal(t, "/usr/sbin/nologin", pw[6], "shell")
	assert.ElementsMatch(t, []string{"quayside", "docker"}, strings.Fields(b.mustSh("id -nG quayside")))
	assert.Equal(t, "700 quayside quayside", b.mustSh("stat -c '%a %U %G' "+dataDir))
	assert.Equal(t, "600 root root", b.mustSh("stat -c '%a %U %G' "+confPath))
	conf := b.file(confPath) + "\n"
	assert.Contains(t, conf, "\nQUAYSIDE_DATA="+dataDir+"\n")
	assert.Contains(t, conf, "\nQUAYSIDE_DOMAIN="+domain+"\n")
	if email != "" {
		assert.Contains(t, conf, "\nQUAYSIDE_ACME_EMAIL="+email+"\n")
	} else {
		assert.NotContains(t, conf, "QUAYSIDE_ACME_EMAIL=")
	}
	assertUnit(t, b)
	assert.Equal(t, unitPath, b.mustSh("readlink "+wantsLink), "enabled")
	assert.Empty(t, b.mustSh("ls -A /usr/local/bin /etc/systemd/system /etc/quayside | grep '^\\.quayside' || true"),
		"no temporary files left")
}

// wantUnit are lines the unit must have.
var wantUnit = []string{
	"User=quayside", "Group=quayside", "EnvironmentFile=" + confPath, "ExecStart=" + binPath + " server",
	"Restart=always", "RestartSec=2s", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
	"CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes", "ProtectSystem=strict",
	"ReadWritePaths=" + dataDir, "ProtectHome=yes", "PrivateTmp=yes", "LimitNOFILE=1048576",
	"WantedBy=multi-user.target",
}

func assertUnit(t *testing.T, b *box) {
	t.Helper()
	unit := b.file(unitPath) + "\n"
	for _, line := range wantUnit {
		assert.Contains(t, unit, "\n"+line+"\n")
	}
	assert.Equal(t, "644 root root", b.mustSh("stat -c '%a %U %G' "+unitPath))
	r := b.sh("systemd-analyze verify " + unitPath)
	assert.Equal(t, 0, r.code, "systemd-analyze verify %s\n%s", unitPath, r)
	assert.NotContains(t, r.stdout+r.stderr, "quayside.service", "systemd-analyze has something to say about the unit")
}

// leftovers lists what of an install is on the box.
func leftovers(b *box) string {
	b.t.Helper()
	return b.mustSh(fmt.Sprintf(`for p in %s %s %s %s /etc/quayside; do
		if [ -e "$p" ] || [ -L "$p" ]; then echo "$p"; fi
	done
	if id quayside >/dev/null 2>&1; then echo "user quayside"; fi
	if getent group quayside >/dev/null; then echo "group quayside"; fi
	ls -A /usr/local/bin /etc/systemd/system | grep '^\.quayside' || true`, binPath, unitPath, wantsLink, dataDir))
}

// statusJSON is what `quayside status --json` prints, in part.
type statusJSON struct {
	Instance string `json:"instance"`
	Domain   string `json:"domain"`
}

func daemonStatus(t *testing.T, b *box) statusJSON {
	t.Helper()
	var st statusJSON
	require.NoError(t, json.Unmarshal([]byte(b.mustSh("quayside status --json")), &st))
	return st
}

// testAptPackages runs the installer on a box without git and Docker: it
// installs both from the Debian mirror. Without systemd, Docker cannot start
// and the installer says so.
func testAptPackages(t *testing.T, image, bin string) {
	b := newBox(t, image, boxOptions{network: true, noDocker: true})
	if r := b.sh("timeout 60 apt-get update -q"); r.code != 0 {
		testenv.RequireOrSkip(t, "the Debian mirror cannot be reached from a container here: "+tail(r.stdout+r.stderr, 5))
	}
	b.mustSh("DEBIAN_FRONTEND=noninteractive apt-get remove -y -q git >/dev/null && ! command -v git")
	b.cp(bin, "/tmp/quayside")
	r := b.install([]string{localBin}, "--domain", "example.com")
	require.Equal(t, 0, r.code, r.String())
	t.Logf("install with git and docker.io from apt took %s", r.took.Round(100*time.Millisecond))
	assert.Contains(t, r.stdout, "installing git docker.io from Debian GNU/Linux 12 (bookworm)'s packages (apt)")
	assert.Equal(t, 0, b.sh("command -v git && command -v dockerd && dpkg -s docker.io >/dev/null").code)
	assert.Contains(t, r.stderr, "Docker does not answer and systemd does not run here")
	assertInstalled(t, b, sha256File(t, bin), "example.com", "")
}
