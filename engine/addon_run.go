package engine

import (
	"context"
	"io"
	"time"
)

// addonPullTimeout bounds the attempt to pull an official add-on image.
const addonPullTimeout = 10 * time.Second

// addonImage picks the image of kind at version: the official one when the
// daemon has it or can pull it quickly, else Quayside's offline one, and
// says which.
func (e *Engine) addonImage(ctx context.Context, kind, version string, w io.Writer) (string, error) {
	out := newProgress(w)
	official := kind + ":" + version
	if ok, _ := e.cfg.Addons.HasImage(ctx, official, false); ok {
		return official, nil
	}
	pctx, cancel := context.WithTimeout(ctx, addonPullTimeout)
	ok, err := e.cfg.Addons.HasImage(pctx, official, true)
	cancel()
	if ok {
		out.Info("Pulled %s", official)
		return official, nil
	}
	offline := "quayside/" + kind + ":" + version + "-offline"
	if has, _ := e.cfg.Addons.HasImage(ctx, offline, false); has {
		e.log.Info("official add-on image unavailable: using the offline one", "image", official, "offline", offline, "err", err)
		out.Info("%s cannot be pulled here: using the offline image %s", official, offline)
		return offline, nil
	}
	return "", Errorf(EUNAVAILABLE, "neither %s nor %s is available: this server cannot pull images; build the offline images with `make addons` on the server, or load %s into Docker",
		official, offline, official)
}

// addonSpec is the container spec of a.
func (e *Engine) addonSpec(a *Addon) AddonSpec {
	kind := AddonKinds[a.Kind]
	spec := AddonSpec{
		App: a.App, Name: a.Name, Kind: a.Kind, Image: a.Image, Volume: a.Volume, DataDir: kind.DataDir,
		Host: a.Host(), Port: kind.Port, MemoryBytes: a.MemoryBytes, ExposeAddr: a.ExposeAddr,
	}
	for _, at := range a.Attachments {
		spec.Networks = append(spec.Networks, at.App)
	}
	switch a.Kind {
	case AddonPostgres:
		spec.Env = map[string]string{"POSTGRES_USER": a.User, "POSTGRES_PASSWORD": a.Password, "POSTGRES_DB": a.Database}
	case AddonRedis:
		spec.Cmd = []string{"redis-server", "--requirepass", a.Password, "--appendonly", "yes", "--dir", kind.DataDir}
	}
	return spec
}

// startAddon (re)creates a's container on its volume and waits until the
// service answers.
func (e *Engine) startAddon(ctx context.Context, a *Addon, out *progress) error {
	if _, err := e.cfg.Addons.StartAddon(ctx, e.addonSpec(a)); err != nil {
		return err
	}
	out.Info("Waiting for %s to accept connections", a.Name)
	return e.waitAddonReady(ctx, a)
}

// readyCommand is what answers 0 once the add-on accepts connections.
func readyCommand(a *Addon) []string {
	if a.Kind == AddonRedis {
		return []string{"redis-cli", "--no-auth-warning", "-a", a.Password, "ping"}
	}
	// -h 127.0.0.1: the image's first start serves only the socket while
	// it initializes, then restarts; TCP answers once it is really up.
	return []string{"pg_isready", "-q", "-h", "127.0.0.1", "-U", a.User, "-d", a.Database}
}

// waitAddonReady polls readyCommand until it succeeds or addonReadyTimeout.
func (e *Engine) waitAddonReady(ctx context.Context, a *Addon) error {
	ctx, cancel := context.WithTimeout(ctx, addonReadyTimeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		code, err := e.cfg.Addons.ExecAddon(ctx, a.App, a.Name, readyCommand(a), nil, io.Discard)
		if err == nil && code == 0 {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			logs, _ := e.cfg.Addons.AddonLogs(context.WithoutCancel(ctx), a.App, a.Name, 5)
			e.log.Warn("add-on not ready", "app", a.App, "addon", a.Name, "err", last, "logs", logs)
			return Errorf(EUNAVAILABLE, "add-on %s of %s did not accept connections within %s: see `quayside addons logs %s %s`",
				a.Name, a.App, addonReadyTimeout, a.App, a.Name)
		case <-tick.C:
		}
	}
}
