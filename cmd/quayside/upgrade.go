package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/install/upgrade"
)

// upgradeCmd replaces the installed binary with a verified download, keeps
// the one it replaces beside it (<binary>.previous) and restarts the
// service; --rollback swaps the two back (install/upgrade does both).
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
	u := &upgrade.Upgrader{Bin: bin, Restart: !c.NoRestart, Key: key, HTTP: upgrade.HTTPSOnlyClient(), Out: os.Stdout}
	if c.Rollback {
		return u.Rollback(g.ctx)
	}
	src := c.URL
	if src == "" {
		src = upgrade.ReleaseBinaryURL(os.Getenv("QUAYSIDE_RELEASE_URL"), c.Version)
	}
	return u.Upgrade(g.ctx, src, c.SHA256)
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
