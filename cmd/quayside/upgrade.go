package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
)

// releasesURL is where releases are published; install/install.sh uses
// the same place and names (quayside-linux-<arch>, SHA256SUMS).
const releasesURL = "https://github.com/quayside/quayside/releases"

// upgradeCmd replaces the installed binary with a verified download, keeps
// the one it replaces beside it (<binary>.previous) and restarts the
// service; --rollback swaps the two back.
type upgradeCmd struct {
	URL       string `name:"url" placeholder:"URL" help:"Download the binary from URL. Default: quayside-linux-<arch> of the release (QUAYSIDE_RELEASE_URL, else GitHub)."`
	Version   string `env:"QUAYSIDE_VERSION" help:"Release to install, such as v1.2.0 (default: the latest)."`
	SHA256    string `name:"sha256" placeholder:"HEX" help:"The binary's SHA-256. Default: its line in SHA256SUMS beside it, else URL.sha256. Nothing is installed unverified."`
	Rollback  bool   `help:"Go back to the binary the last upgrade replaced."`
	Binary    string `type:"path" help:"The binary to replace (default: this one)."`
	NoRestart bool   `help:"Leave the running daemon alone (restart it yourself)."`
}

func (c *upgradeCmd) Run(g *globals) error {
	bin, err := c.target()
	if err != nil {
		return err
	}
	u := &upgrader{bin: bin, restart: !c.NoRestart, http: &http.Client{Timeout: 10 * time.Minute}}
	if c.Rollback {
		return u.rollback(g.ctx)
	}
	src := c.URL
	if src == "" {
		src = releaseBinaryURL(os.Getenv("QUAYSIDE_RELEASE_URL"), c.Version)
	}
	return u.upgrade(g.ctx, src, c.SHA256)
}

// target is the binary to replace, links resolved.
func (c *upgradeCmd) target() (string, error) {
	bin := c.Binary
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find own binary: %w", err)
		}
		bin = exe
	}
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "cannot find the binary %s: %v", bin, err)
	}
	return real, nil
}

// releaseBinaryURL is the URL of this machine's binary in a release, as
// install.sh computes it.
func releaseBinaryURL(base, version string) string {
	switch {
	case base != "":
		base = strings.TrimRight(base, "/")
	case version != "":
		base = releasesURL + "/download/" + version
	default:
		base = releasesURL + "/latest/download"
	}
	return base + "/quayside-linux-" + runtime.GOARCH
}

// upgrader swaps binaries.
type upgrader struct {
	bin     string
	restart bool
	http    *http.Client
}

// previous is where the replaced binary is kept.
func (u *upgrader) previous() string { return u.bin + ".previous" }

func (u *upgrader) upgrade(ctx context.Context, src, wantSHA string) error {
	fmt.Printf("Downloading %s\n", src)
	tmp, got, err := u.download(ctx, src)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if wantSHA == "" {
		if wantSHA, err = u.publishedSHA(ctx, src); err != nil {
			return err
		}
	}
	if !strings.EqualFold(strings.TrimSpace(wantSHA), got) {
		return engine.Errorf(engine.EINVALID, "the download's SHA-256 does not match, so nothing was installed:\n  expected: %s\n  got:      %s\nThe download is damaged or not the release it claims to be.", strings.ToLower(wantSHA), got)
	}
	newVersion, err := binaryVersion(ctx, tmp)
	if err != nil {
		return err
	}
	if err := u.swapIn(tmp); err != nil {
		return err
	}
	fmt.Printf("Installed %s (SHA-256 verified); the replaced binary is kept as %s for quayside upgrade --rollback.\n", newVersion, u.previous())
	return u.restartService(ctx, newVersion)
}

// download writes src to a temporary file beside the binary (where it may
// be run, unlike a noexec /tmp) and returns it with its SHA-256.
func (u *upgrader) download(ctx context.Context, src string) (string, string, error) {
	body, err := u.open(ctx, src)
	if err != nil {
		return "", "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(filepath.Dir(u.bin), ".quayside-upgrade-*")
	if err != nil {
		return "", "", writeErr(u.bin, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", engine.Errorf(engine.EUNAVAILABLE, "download of %s failed: %v", src, err)
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// open GETs an http(s) URL, or opens a file:// URL.
func (u *upgrader) open(ctx context.Context, src string) (io.ReadCloser, error) {
	pu, err := url.Parse(src)
	if err != nil || (pu.Scheme != "https" && pu.Scheme != "http" && pu.Scheme != "file") {
		return nil, engine.Errorf(engine.EINVALID, "--url %q is not an https://, http:// or file:// URL", src)
	}
	if pu.Scheme == "file" {
		f, err := os.Open(pu.Path)
		if err != nil {
			return nil, engine.Errorf(engine.ENOTFOUND, "cannot read %s: %v", src, err)
		}
		return f, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := u.http.Do(req)
	if err != nil {
		return nil, engine.Errorf(engine.EUNAVAILABLE, "cannot download %s: %v", src, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, engine.Errorf(engine.ENOTFOUND, "cannot download %s: the server answered %s", src, resp.Status)
	}
	return resp.Body, nil
}

// publishedSHA reads the binary's checksum published beside it: its line
// in SHA256SUMS, else the first word of <src>.sha256.
func (u *upgrader) publishedSHA(ctx context.Context, src string) (string, error) {
	dir, file := path.Split(src)
	if sums, err := u.fetchSmall(ctx, dir+"SHA256SUMS"); err == nil {
		if sha := shaFor(sums, file); sha != "" {
			return sha, nil
		}
	}
	if one, err := u.fetchSmall(ctx, src+".sha256"); err == nil {
		if f := strings.Fields(one); len(f) > 0 {
			return f[0], nil
		}
	}
	return "", engine.Errorf(engine.EINVALID,
		"no checksum to verify the download with: neither %sSHA256SUMS nor %s.sha256 has it. Give it with --sha256 HEX; nothing was installed", dir, src)
}

// shaFor finds file's checksum in SHA256SUMS text ("<hex>  <file>" or
// "<hex> *<file>" lines).
func shaFor(sums, file string) string {
	for _, line := range strings.Split(sums, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.TrimPrefix(f[1], "*") == file {
			return f[0]
		}
	}
	return ""
}

func (u *upgrader) fetchSmall(ctx context.Context, src string) (string, error) {
	body, err := u.open(ctx, src)
	if err != nil {
		return "", err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	return string(b), err
}

// binaryVersion runs `bin version`: a binary that does not run here (other
// architecture, damaged) is refused.
func binaryVersion(ctx context.Context, bin string) (string, error) {
	if err := os.Chmod(bin, 0o755); err != nil {
		return "", fmt.Errorf("make the download executable: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "version").Output()
	v := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(v, "quayside ") {
		return "", engine.Errorf(engine.EINVALID, "the downloaded binary does not run on this machine (built for another architecture, or damaged): nothing was installed")
	}
	return v, nil
}

// swapIn keeps the current binary as .previous (a hard link, so the binary
// never stops existing) and renames tmp over the binary in one step.
func (u *upgrader) swapIn(tmp string) error {
	prev := u.previous()
	if err := os.Remove(prev); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return writeErr(prev, err)
	}
	if err := os.Link(u.bin, prev); err != nil {
		return writeErr(prev, err)
	}
	if err := os.Rename(tmp, u.bin); err != nil {
		return writeErr(u.bin, err)
	}
	return nil
}

// rollback swaps the binary and .previous, so running it again goes
// forward again.
func (u *upgrader) rollback(ctx context.Context) error {
	prev := u.previous()
	if _, err := os.Stat(prev); err != nil {
		return engine.Errorf(engine.ENOTFOUND, "there is no %s to go back to: only a binary that quayside upgrade replaced can be rolled back to", prev)
	}
	oldVersion, err := binaryVersion(ctx, prev)
	if err != nil {
		return err
	}
	swap := u.bin + ".swap"
	_ = os.Remove(swap)
	if err := os.Link(u.bin, swap); err != nil {
		return writeErr(swap, err)
	}
	if err := os.Rename(prev, u.bin); err != nil {
		os.Remove(swap)
		return writeErr(u.bin, err)
	}
	if err := os.Rename(swap, prev); err != nil {
		return writeErr(prev, err)
	}
	fmt.Printf("Rolled back to %s; the binary it replaced is kept as %s.\n", oldVersion, prev)
	return u.restartService(ctx, oldVersion)
}

func writeErr(p string, err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return engine.Errorf(engine.EFORBIDDEN, "cannot write %s: run the upgrade as root (sudo quayside upgrade)", p)
	}
	return fmt.Errorf("write %s: %w", p, err)
}

// systemdRunning reports whether systemd is the init system here (what
// install.sh checks too).
var systemdRunning = func() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

// restartService restarts quayside.service when systemd runs it, else says
// what to do.
func (u *upgrader) restartService(ctx context.Context, v string) error {
	if !u.restart {
		fmt.Printf("Restart the daemon to run %s: systemctl restart quayside\n", v)
		return nil
	}
	if !systemdRunning() || exec.CommandContext(ctx, "systemctl", "is-active", "--quiet", "quayside.service").Run() != nil {
		fmt.Printf("quayside.service is not running under systemd here: restart the daemon yourself to run %s.\n", v)
		return nil
	}
	out, err := exec.CommandContext(ctx, "systemctl", "restart", "quayside.service").CombinedOutput()
	if err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "systemctl restart quayside failed (%v): %s; see journalctl -u quayside, and quayside upgrade --rollback to go back",
			err, strings.TrimSpace(string(out)))
	}
	fmt.Printf("Restarted quayside.service: it runs %s.\n", v)
	return nil
}
