package main

import (
	"context"

	"github.com/quayside/quayside/engine/docker"
	"github.com/quayside/quayside/install/doctor"
	"github.com/quayside/quayside/ui/api"
)

// dockerInfo is the doctor's Docker probe.
func dockerInfo(ctx context.Context) (doctor.DockerInfo, error) {
	cli, err := docker.Connect(ctx)
	if err != nil {
		return doctor.DockerInfo{}, err
	}
	defer cli.Close()
	v, err := cli.ServerVersion(ctx)
	if err != nil {
		return doctor.DockerInfo{VersionErr: err.Error()}, nil
	}
	info := doctor.DockerInfo{Version: v.Version, APIVersion: v.APIVersion, Host: cli.DaemonHost()}
	if di, err := cli.Info(ctx); err == nil {
		info.RootDir = di.DockerRootDir
	}
	return info, nil
}

// doctorDaemon asks the daemon over its control socket (doctor.Daemon).
type doctorDaemon struct{ cl *api.Client }

func (d doctorDaemon) Status(ctx context.Context) (doctor.Status, error) {
	st, err := d.cl.Status(ctx)
	if err != nil {
		return doctor.Status{}, err
	}
	return doctor.Status{Version: st.Version, Domain: st.Domain, Instance: st.Instance}, nil
}

func (d doctorDaemon) ListApps(ctx context.Context) ([]string, error) {
	apps, err := d.cl.ListApps(ctx)
	names := make([]string, 0, len(apps))
	for _, a := range apps {
		names = append(names, a.Name)
	}
	return names, err
}

func (d doctorDaemon) Domains(ctx context.Context, app string) ([]doctor.Domain, error) {
	ds, err := d.cl.Domains(ctx, app)
	out := make([]doctor.Domain, 0, len(ds))
	for _, dm := range ds {
		c := dm.Cert
		out = append(out, doctor.Domain{Host: dm.Host, Default: dm.Default, Cert: doctor.Certificate{
			State: c.State, NotAfter: c.NotAfter, RenewAt: c.RenewAt, LastError: c.LastError}})
	}
	return out, err
}
