package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"

	"github.com/quayside/quayside/engine"
)

// swapIn keeps the current binary as .previous (a hard link, so the binary
// never stops existing) and renames tmp over the binary in one step.
func (u *Upgrader) swapIn(tmp string) error {
	prev := u.Previous()
	if err := os.Remove(prev); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return writeErr(prev, err)
	}
	if err := os.Link(u.Bin, prev); err != nil {
		return writeErr(prev, err)
	}
	if err := os.Rename(tmp, u.Bin); err != nil {
		return writeErr(u.Bin, err)
	}
	return nil
}

// Rollback swaps the binary and Previous, so running it again goes
// forward again. Without Previous it is ENOTFOUND.
func (u *Upgrader) Rollback(ctx context.Context) error {
	prev := u.Previous()
	if _, err := os.Stat(prev); err != nil {
		return engine.Errorf(engine.ENOTFOUND, "there is no %s to go back to: only a binary that quayside upgrade replaced can be rolled back to", prev)
	}
	oldVersion, err := binaryVersion(ctx, prev)
	if err != nil {
		return err
	}
	swap := u.Bin + ".swap"
	_ = os.Remove(swap)
	if err := os.Link(u.Bin, swap); err != nil {
		return writeErr(swap, err)
	}
	if err := os.Rename(prev, u.Bin); err != nil {
		os.Remove(swap)
		return writeErr(u.Bin, err)
	}
	if err := os.Rename(swap, prev); err != nil {
		return writeErr(prev, err)
	}
	fmt.Fprintf(u.Out, "Rolled back to %s; the binary it replaced is kept as %s.\n", oldVersion, prev)
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
func (u *Upgrader) restartService(ctx context.Context, v string) error {
	if !u.Restart {
		fmt.Fprintf(u.Out, "Restart the daemon to run %s: systemctl restart quayside\n", v)
		return nil
	}
	if !systemdRunning() || exec.CommandContext(ctx, "systemctl", "is-active", "--quiet", "quayside.service").Run() != nil {
		fmt.Fprintf(u.Out, "quayside.service is not running under systemd here: restart the daemon yourself to run %s.\n", v)
		return nil
	}
	out, err := exec.CommandContext(ctx, "systemctl", "restart", "quayside.service").CombinedOutput()
	if err != nil {
		return engine.Errorf(engine.EUNAVAILABLE, "systemctl restart quayside failed (%v): %s; see journalctl -u quayside, and quayside upgrade --rollback to go back",
			err, strings.TrimSpace(string(out)))
	}
	fmt.Fprintf(u.Out, "Restarted quayside.service: it runs %s.\n", v)
	return nil
}
