package upgrade

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// ReleasesURL is where releases are published; install/install.sh uses
// the same place and names (quayside-linux-<arch>, SHA256SUMS).
const ReleasesURL = "https://github.com/quayside/quayside/releases"

// ReleaseBinaryURL is the URL of this machine's binary in a release, as
// install.sh computes it.
func ReleaseBinaryURL(base, version string) string {
	switch {
	case base != "":
		base = strings.TrimRight(base, "/")
	case version != "":
		base = ReleasesURL + "/download/" + version
	default:
		base = ReleasesURL + "/latest/download"
	}
	return base + "/quayside-linux-" + runtime.GOARCH
}

// HTTPSOnlyClient downloads with a deadline and follows only redirects to
// https URLs.
func HTTPSOnlyClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Minute, CheckRedirect: RefuseInsecureRedirect}
}

// RefuseInsecureRedirect is an http.Client's CheckRedirect that follows
// at most 10 redirects, each to https.
func RefuseInsecureRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return fmt.Errorf("refusing the redirect to %s: releases are downloaded over https only", req.URL.Redacted())
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// Upgrader replaces a binary in place with a verified download, keeping
// the one it replaces beside it, and restarts the service.
type Upgrader struct {
	Bin     string            // the binary to replace, links resolved
	Restart bool              // restart quayside.service when systemd runs it
	Key     ed25519.PublicKey // what SHA256SUMS must be signed by
	HTTP    *http.Client      // HTTPSOnlyClient, or a test's
	Out     io.Writer         // where progress is told
}

// Previous is where the replaced binary is kept.
func (u *Upgrader) Previous() string { return u.Bin + ".previous" }

// Upgrade installs the binary at src (https:// or file://) once verified:
// against wantSHA when given, else against its line in the SHA256SUMS
// beside it, whose SHA256SUMS.sig must verify with u.Key. It refuses, with
// the binary unchanged and no file left behind: another scheme, a bad
// signature or checksum, a download past MaxBinarySize and a binary that
// does not run here. The swap is one rename; the replaced binary stays as
// Previous.
func (u *Upgrader) Upgrade(ctx context.Context, src, wantSHA string) error {
	if err := checkSource(src); err != nil {
		return err
	}
	if wantSHA == "" {
		var err error
		if wantSHA, err = u.signedSHA(ctx, src); err != nil {
			return err
		}
	}
	fmt.Fprintf(u.Out, "Downloading %s\n", src)
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
	fmt.Fprintf(u.Out, "Installed %s (SHA-256 verified); the replaced binary is kept as %s for quayside upgrade --rollback.\n", newVersion, u.Previous())
	return u.restartService(ctx, newVersion)
}

// download writes src to a temporary file beside the binary (where it may
// be run, unlike a noexec /tmp) and returns it with its SHA-256.
func (u *Upgrader) download(ctx context.Context, src string) (string, string, error) {
	body, err := u.open(ctx, src)
	if err != nil {
		return "", "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(filepath.Dir(u.Bin), ".quayside-upgrade-*")
	if err != nil {
		return "", "", writeErr(u.Bin, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, MaxBinarySize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", engine.Errorf(engine.EUNAVAILABLE, "download of %s failed: %v", src, err)
	}
	if n > MaxBinarySize {
		os.Remove(f.Name())
		return "", "", engine.Errorf(engine.EINVALID, "%s is larger than %s, more than any Quayside binary: nothing was installed", src, engine.FormatBytes(MaxBinarySize))
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
func (u *Upgrader) open(ctx context.Context, src string) (io.ReadCloser, error) {
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
	resp, err := u.HTTP.Do(req)
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
func (u *Upgrader) signedSHA(ctx context.Context, src string) (string, error) {
	dir, file := path.Split(src)
	sums, err := u.fetchSmall(ctx, dir+SumsFile, MaxSumsSize)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "cannot read %s%s to verify the download (%s): nothing was installed. Give the checksum with --sha256 HEX if you have it from a source you trust",
			dir, SumsFile, engine.ErrorMessage(err))
	}
	sig, err := u.fetchSmall(ctx, dir+SigFile, MaxSigSize)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "cannot read the signature %s%s (%s): nothing was installed. Releases are signed; an unsigned one is installed only with --sha256 HEX",
			dir, SigFile, engine.ErrorMessage(err))
	}
	if err := Verify(u.Key, sums, sig); err != nil {
		return "", engine.Errorf(engine.EINVALID, "%v (%s%s): it was tampered with or signed by someone else, so nothing was installed. A self-built release needs its public key in %s",
			err, dir, SumsFile, KeyEnv)
	}
	sha, err := ChecksumFor(sums, file)
	if err != nil {
		return "", engine.Errorf(engine.EINVALID, "%s%s has no line for %s: the release has no such binary; nothing was installed", dir, SumsFile, file)
	}
	fmt.Fprintf(u.Out, "Signature of %s verified.\n", SumsFile)
	return sha, nil
}

// fetchSmall reads a file of at most max bytes.
func (u *Upgrader) fetchSmall(ctx context.Context, src string, max int64) ([]byte, error) {
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
