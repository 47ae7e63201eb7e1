package engine

import (
	"context"
	"io"
	"net/netip"
)

// ExposeRequest publishes an add-on's port on the host, or stops (Addr "").
type ExposeRequest struct {
	App, Name string
	// Addr is "IP:PORT" on the host; "" publishes nothing again.
	Addr string
	// Public allows an address that is not loopback (0.0.0.0, a public IP):
	// the database then answers the network, protected by its password only.
	Public bool
	Output io.Writer
}

// ExposeAddon publishes (or unpublishes) an add-on's port on the host, for
// an admin connection without a tunnel. Loopback addresses are the safe
// choice; any other address needs Public. The container is recreated on
// its volume (a few seconds without the database). It needs the app's
// admin rights: it opens the data beyond the app's network.
func (e *Engine) ExposeAddon(ctx context.Context, req ExposeRequest) (err error) {
	if err := e.authorize(ctx, ActDestroyApp, req.App); err != nil {
		return err
	}
	defer func() { e.audit(ctx, AuditAddonExpose, req.App, req.Name, exposeDetail(req.Addr), err) }()
	if err := e.addonsAvailable(); err != nil {
		return err
	}
	addr, err := checkExposeAddr(req.Addr, req.Public)
	if err != nil {
		return err
	}
	ctx, unlock, err := e.lockAddons(ctx, req.App)
	if err != nil {
		return err
	}
	defer unlock()
	a, err := e.ownedAddon(ctx, req.App, req.Name)
	if err != nil {
		return err
	}
	if a.ExposeAddr == addr {
		return nil
	}
	prev := a.ExposeAddr
	a.ExposeAddr = addr
	out := newProgress(req.Output)
	out.Step("Restarting %s %s", a.Name, exposeDetail(addr))
	if err := e.startAddon(ctx, a, out); err != nil {
		a.ExposeAddr = prev
		if _, rerr := e.cfg.Addons.StartAddon(context.WithoutCancel(ctx), e.addonSpec(a)); rerr != nil {
			e.log.Error("start add-on again as it was", "app", a.App, "addon", a.Name, "err", rerr)
		}
		return err
	}
	return e.cfg.Store.UpdateAddon(ctx, a)
}

func exposeDetail(addr string) string {
	if addr == "" {
		return "published nowhere"
	}
	return "published on " + addr
}

// checkExposeAddr parses "IP:PORT" (or "" for none) and refuses addresses
// beyond loopback unless public.
func checkExposeAddr(s string, public bool) (string, error) {
	if s == "" {
		return "", nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil || ap.Port() == 0 {
		return "", FieldError("to", "%q is not an address and port such as 127.0.0.1:15432", clipText(s, 60))
	}
	if !ap.Addr().IsLoopback() && !public {
		return "", Errorf(EFORBIDDEN, "%s would let anyone who reaches this server's network try the database's password: "+
			"use a loopback address (127.0.0.1:%d) and an SSH tunnel, or add --public if you really mean it", ap, ap.Port())
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String(), nil
}
