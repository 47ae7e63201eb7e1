package main

import (
	"context"
	"crypto/ed25519"
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
	"github.com/quayside/quayside/install/upgrade"
)

// releasesURL is where releases are published; install/install.sh uses
// the same place and names (quayside-linux-<arch>, SHA256SUMS).
const releasesURL = "https://github.com/quayside/quayside/releases"

// upgradeCmd replaces the installed binary with a verified download, keeps
// the one it replaces beside it (<binary>.previous) and restarts the
// service; --rollback swaps the two back.
type upgradeCmd struct {
	URL       string `name:"url" placeholder:"URL" help:"Download the binary from URL (https://, or file:// for a local release). Default: quayside-linux-<arch> of the release (QUAYSIDE_RELEASE_URL, else GitHub)."`
	Version   string `env:"QUAYSIDE_VERSION" help:"Release to install, such as v1.2.0 (default: the latest)."`
	SHA256    string `name:"sha256" placeholder:"HEX" help:"The binary's SHA-256, vouched for by you. Default: its line in SHA256SUMS beside it, whose signature (SHA256SUMS.sig) must verify with the release key (QUAYSIDE_PUBKEY for self-built releases). Nothing is installed unverified."`
	Rollback  bool   `help:"Go back to the binary the last upgrade replaced."`
	Binary    string `type:"path" help:"The binary to replace (default: this one)."`
	NoRestart bool   `help:"Leave the running daemon alone (restart it yourself)."`
}

func (c *upgradeCmd) Run(g *globals) error {
	bin, err := c.target()
	if err != nil {
		return err
	}
	key, err := upgrade.TrustedKey()
	if err != nil {
		return engine.Errorf(engine.EINVALID, "%v", err)
	}
	u := &upgrader{bin: bin, restart: !c.NoRestart, key: key, http: httpsOnlyClient()}
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

// httpsOnlyClient downloads with a deadline and follows only redirects to
// https URLs.
func httpsOnlyClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Minute, CheckRedirect: refuseInsecureRedirect}
}

func refuseInsecureRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return fmt.Errorf("refusing the redirect to %s: releases are downloaded over https only", req.URL.Redacted())
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// upgrader swaps binaries.
type upgrader struct {
	bin     string
	restart bool
	key     ed25519.PublicKey // what SHA256SUMS must be signed by
	http    *http.Client
}

// previous is where the replaced binary is kept.
func (u *upgrader) previous() string { return u.bin + ".previous" }

func (u *upgrader) upgrade(ctx context.Context, src, wantSHA string) error {
	if err := checkSource(src); err != nil {
		return err
	}
	if wantSHA == "" {
		var err error
		if wantSHA, err = u.signedSHA(ctx, src); err != nil {
			return err
		}
	}
	fmt.Printf("Downloading %s\n", src)
	tmp, got, err := u.download(ctx, src)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
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
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, upgrade.MaxBinarySize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", engine.Errorf(engine.EUNAVAILABLE, "download of %s failed: %v", src, err)
	}
	if n > upgrade.MaxBinarySize {
		os.Remove(f.Name())
		return "", "", engine.Errorf(engine.EINVALID, "%s is larger than %s, more than any Quayside binary: nothing was installed", src, engine.FormatBytes(upgrade.MaxBinarySize))
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// checkSource refuses URLs other than https:// and file:// (a local
// release, for offline servers and tests): a plain http:// download could
// be swapped on the way, and while the signature would catch that, there
// is no reason to offer it.
func checkSource(src string) error {
	pu, err := url.Parse(src)
	if err != nil || (pu.Scheme != "https" && pu.Scheme != "file") {
		return engine.Errorf(engine.EINVALID, "%q is not an https:// or file:// URL: releases are downloaded over https only", src)
	}
	return nil
}

// open GETs an https URL, or opens a file:// URL.
func (u *upgrader) open(ctx context.Context, src string) (io.ReadCloser, error) {
	if err := checkSource(src); err != nil {
		return nil, err
	}
	pu, _ := url.Parse(src)
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

// signedSHA reads the binary's checksum from SHA256SUMS beside it, after
// checking SHA256SUMS.sig against the trusted release key.
func (u *upgrader) signedSHA(ctx context.Context, src string) (string, error) {
	dir, file := path.Split(src)
	sums, err := u.fetchSmall(ctx, dir+upgrade.SumsFile, upgrade.MaxSumsSize)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "cannot read %s%s to verify the download (%s): nothing was installed. Give the checksum with --sha256 HEX if you have it from a source you trust",
			dir, upgrade.SumsFile, engine.ErrorMessage(err))
	}
	sig, err := u.fetchSmall(ctx, dir+upgrade.SigFile, upgrade.MaxSigSize)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "cannot read the signature %s%s (%s): nothing was installed. Releases are signed; an unsigned one is installed only with --sha256 HEX",
			dir, upgrade.SigFile, engine.ErrorMessage(err))
	}
	if err := upgrade.Verify(u.key, sums, sig); err != nil {
		return "", engine.Errorf(engine.EINVALID, "%v (%s%s): it was tampered with or signed by someone else, so nothing was installed. A self-built release needs its public key in %s",
			err, dir, upgrade.SumsFile, upgrade.KeyEnv)
	}
	sha, err := upgrade.ChecksumFor(sums, file)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "%s%s has no line for %s: the release has no such binary; nothing was installed", dir, upgrade.SumsFile, file)
	}
	fmt.Printf("Signature of %s verified.\n", upgrade.SumsFile)
	return sha, nil
}

// fetchSmall reads a file of at most max bytes.
func (u *upgrader) fetchSmall(ctx context.Context, src string, max int64) ([]byte, error) {
	body, err := u.open(ctx, src)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", src, err)
	}
	if int64(len(b)) > max {
		return nil, engine.Errorf(engine.EINVALID, "%s is larger than %s", src, engine.FormatBytes(max))
	}
	return b, nil
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
