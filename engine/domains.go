package engine

import (
	"context"
	"strings"
)

// hosts returns every host that routes to app: <app>.<domain> first, then
// its custom domains.
func (e *Engine) hosts(ctx context.Context, app string) ([]string, error) {
	hosts := []string{e.AppHost(app)}
	ds, err := e.cfg.Store.ListDomains(ctx, app)
	if err != nil {
		return hosts, err
	}
	for _, d := range ds {
		hosts = append(hosts, d.Host)
	}
	return hosts, nil
}

// AppDomain is a host of an app with the state of its certificate.
type AppDomain struct {
	Host string
	// Default is true for <app>.<domain>, which cannot be removed.
	Default bool
	Cert    CertStatus
}

// Domains lists the hosts of app with their certificate states.
func (e *Engine) Domains(ctx context.Context, name string) ([]AppDomain, error) {
	if _, err := e.FindApp(ctx, name); err != nil {
		return nil, err
	}
	hosts, err := e.hosts(ctx, name)
	if err != nil {
		return nil, err
	}
	statuses := e.certStatus(ctx, hosts)
	out := make([]AppDomain, len(hosts))
	for i, h := range hosts {
		out[i] = AppDomain{Host: h, Default: i == 0, Cert: statuses[i]}
	}
	return out, nil
}

func (e *Engine) certStatus(ctx context.Context, hosts []string) []CertStatus {
	if e.cfg.Certs == nil {
		out := make([]CertStatus, len(hosts))
		for i, h := range hosts {
			out[i] = CertStatus{Host: h, State: CertNone}
		}
		return out
	}
	return e.cfg.Certs.Status(ctx, hosts)
}

// AddDomain routes host to app and starts obtaining its certificate.
func (e *Engine) AddDomain(ctx context.Context, name, host string) (d *Domain, err error) {
	if err := e.authorize(ctx, ActDomains, name); err != nil {
		return nil, err
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	defer func() { e.audit(ctx, AuditDomainAdd, name, host, "", err) }()
	if err := ValidateCustomDomain(host, e.cfg.Domain); err != nil {
		return nil, err
	}
	if err := e.limitChange(ctx, e.limits.domains, "domain changes"); err != nil {
		return nil, err
	}
	ctx, unlock, err := e.lockApp(ctx, name, newProgress(nil))
	if err != nil {
		return nil, err
	}
	defer unlock()
	app, err := e.appForChange(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := e.checkDomainRoom(ctx, name); err != nil {
		return nil, err
	}
	d = &Domain{App: name, Host: host}
	if err := e.cfg.Store.AddDomain(ctx, d); err != nil {
		return nil, err
	}
	if err := e.refreshRoute(ctx, app); err != nil {
		return nil, err
	}
	e.manageCerts(ctx, host) // after the route: only routed hosts get certificates
	return d, nil
}

func (e *Engine) checkDomainRoom(ctx context.Context, app string) error {
	ds, err := e.cfg.Store.ListDomains(ctx, app)
	if err != nil {
		return err
	}
	if len(ds) >= MaxDomainsPerApp {
		return Errorf(EINVALID, "app %s already has %d domains: the limit is %d", app, len(ds), MaxDomainsPerApp)
	}
	return nil
}

// RemoveDomain stops routing host to app and stops renewing its certificate.
func (e *Engine) RemoveDomain(ctx context.Context, name, host string) (err error) {
	if err := e.authorize(ctx, ActDomains, name); err != nil {
		return err
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	defer func() { e.audit(ctx, AuditDomainRemove, name, host, "", err) }()
	if host == e.AppHost(name) {
		return FieldError("domain", "%s is the app's own host: it goes only with the app", host)
	}
	if err := e.limitChange(ctx, e.limits.domains, "domain changes"); err != nil {
		return err
	}
	ctx, unlock, err := e.lockApp(ctx, name, newProgress(nil))
	if err != nil {
		return err
	}
	defer unlock()
	app, err := e.appForChange(ctx, name)
	if err != nil {
		return err
	}
	if err := e.cfg.Store.RemoveDomain(ctx, name, host); err != nil {
		return err
	}
	e.unmanageCerts(ctx, host)
	return e.refreshRoute(ctx, app)
}

// refreshRoute sets app's route again from what runs now: for changes of
// hosts or edge settings that do not touch containers.
func (e *Engine) refreshRoute(ctx context.Context, app *App) error {
	cs, err := e.cfg.Runtime.Containers(ctx, app.Name)
	if err != nil {
		return err
	}
	var serving []*Container
	for _, c := range cs {
		if app.CurrentRelease != 0 && c.Release == app.CurrentRelease && c.Running {
			serving = append(serving, c)
		}
	}
	e.setRoute(ctx, app, serving)
	return nil
}

func (e *Engine) manageCerts(ctx context.Context, hosts ...string) {
	if e.cfg.Certs == nil {
		return
	}
	if err := e.cfg.Certs.Manage(ctx, hosts); err != nil {
		e.log.Error("manage certificates", "hosts", hosts, "err", err)
	}
}

func (e *Engine) unmanageCerts(ctx context.Context, hosts ...string) {
	if e.cfg.Certs == nil {
		return
	}
	if err := e.cfg.Certs.Unmanage(ctx, hosts); err != nil {
		e.log.Error("unmanage certificates", "hosts", hosts, "err", err)
	}
}

// AllHosts returns every host of every app, for the certificate manager
// and the proxy at start-up.
func (e *Engine) AllHosts(ctx context.Context) ([]string, error) {
	apps, err := e.cfg.Store.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := e.cfg.Store.ListDomains(ctx, "")
	if err != nil {
		return nil, err
	}
	hosts := make([]string, 0, len(apps)+len(ds))
	for _, a := range apps {
		hosts = append(hosts, e.AppHost(a.Name))
	}
	for _, d := range ds {
		hosts = append(hosts, d.Host)
	}
	return hosts, nil
}
