package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/quayside/quayside/cmd/quayside/daemon"
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/egress"
	"github.com/quayside/quayside/internal/subnetpool"
)

// serverCmd runs the daemon. Every flag has a matching environment variable.
type serverCmd struct {
	Domain           string        `env:"QUAYSIDE_DOMAIN" default:"localhost" help:"Base domain: apps answer at <app>.<domain>. Use localhost for local use."`
	HTTPAddr         string        `name:"http-addr" env:"QUAYSIDE_HTTP_ADDR" default:":80" help:"Address of the HTTP proxy in front of the apps."`
	SSHAddr          string        `name:"ssh-addr" env:"QUAYSIDE_SSH_ADDR" default:":2222" help:"Address of the SSH server that takes git pushes."`
	HTTPSAddr        string        `name:"https-addr" env:"QUAYSIDE_HTTPS_ADDR" default:":443" help:"Address of the HTTPS proxy in front of the apps (HTTP/2, certificates managed automatically)."`
	ACMECA           string        `name:"acme-ca" env:"QUAYSIDE_ACME_CA" help:"ACME directory URL for certificates. Default: Let's Encrypt production. Use a staging or private ACME server's directory here."`
	ACMECARoot       string        `name:"acme-ca-root" env:"QUAYSIDE_ACME_CA_ROOT" type:"existingfile" help:"PEM file of the root that signed a private ACME server's own HTTPS certificate, to trust it."`
	ACMEEmail        string        `name:"acme-email" env:"QUAYSIDE_ACME_EMAIL" help:"Contact e-mail for the ACME account (the CA warns there about certificates that fail to renew)."`
	DNS              dnsFlags      `embed:""`
	LogLevel         string        `env:"QUAYSIDE_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Log level: debug, info, warn or error."`
	LogFormat        string        `env:"QUAYSIDE_LOG_FORMAT" default:"text" enum:"text,json" help:"Log format: text or json."`
	StopGrace        time.Duration `env:"QUAYSIDE_STOP_GRACE" default:"10s" help:"How long a stopping container may take to exit after SIGTERM before it is killed."`
	SSHMaxConns      int           `name:"ssh-max-conns" env:"QUAYSIDE_SSH_MAX_CONNS" default:"256" help:"Most SSH connections open at once; more are closed at once. Each must authenticate and start its command within 20s."`
	SSHMaxConnsPerIP int           `name:"ssh-max-conns-per-ip" env:"QUAYSIDE_SSH_MAX_CONNS_PER_IP" default:"16" help:"Most SSH connections open at once from one IP address."`
	MaxPushSize      string        `env:"QUAYSIDE_MAX_PUSH_SIZE" default:"1GiB" help:"Largest git push accepted (the pack git sends), such as 500MiB or 2GiB."`
	PushTimeout      time.Duration `env:"QUAYSIDE_PUSH_TIMEOUT" default:"30m" help:"Longest a push may take, build and deploy included."`
	Builder          string        `env:"QUAYSIDE_BUILDER" help:"Buildpack builder image for apps without a Dockerfile. Default: heroku/builder:24 when present or pullable, else the local offline builder quayside/builder:offline (make builder)."`
	AllowedBuilders  []string      `env:"QUAYSIDE_ALLOWED_BUILDERS" help:"Builder images, besides the server's own, that developers may choose for their apps (comma-separated; acme/* allows every image under acme/). Builders other than the server's own run untrusted, without the Docker socket; only admins may choose others."`
	LifecycleImage   string        `env:"QUAYSIDE_LIFECYCLE_IMAGE" default:"quayside/lifecycle:0.20.11" help:"Lifecycle image that builds with untrusted builders run the steps needing the Docker daemon from; it must be in the daemon (make builder makes the default)."`
	MaxBuilds        int           `env:"QUAYSIDE_MAX_BUILDS" default:"2" help:"How many builds may run at once; more pushes wait their turn."`
	BuildMemory      string        `env:"QUAYSIDE_BUILD_MEMORY" default:"2GiB" help:"Memory limit of each build, so a build cannot take the server down (0 for none)."`
	BuildTimeout     time.Duration `env:"QUAYSIDE_BUILD_TIMEOUT" default:"20m" help:"Longest a build may run."`
	KeepReleases     int           `env:"QUAYSIDE_KEEP_RELEASES" default:"5" help:"How many of each app's newest releases keep their images for rollbacks; older images are removed."`
	LogMaxSize       string        `env:"QUAYSIDE_LOG_MAX_SIZE" default:"50MiB" help:"Log history kept per app; the oldest lines go first."`
	MetricsAllow     []string      `env:"QUAYSIDE_METRICS_ALLOW" default:"127.0.0.1/32,::1/128" help:"Addresses (CIDR) that may scrape https://quayside.<domain>/metrics without a token; admins' tokens always may."`
	GCEvery          time.Duration `name:"gc-every" env:"QUAYSIDE_GC_EVERY" default:"1h" help:"How often unused images, stopped containers and build caches over budget are removed (0: never; quayside gc runs it now)."`
	BuildCacheBudget string        `env:"QUAYSIDE_BUILD_CACHE_BUDGET" default:"5GiB" help:"Most disk the apps' build caches may take together; the caches of the apps built least recently go first (0: no limit)."`
	TrustedProxies   []string      `env:"QUAYSIDE_TRUSTED_PROXIES" help:"Addresses (CIDR) of front proxies in front of Quayside whose X-Forwarded-For, X-Real-IP and X-Forwarded-Proto/-Host are passed on to apps. Default none: Quayside is the edge and sets X-Forwarded-For to the peer's address."`
	DiskAlert        float64       `env:"QUAYSIDE_DISK_ALERT" default:"90" help:"Alert when the data dir's or Docker's disk is fuller than this percentage."`
	DefaultMemory    string        `env:"QUAYSIDE_DEFAULT_MEMORY" default:"512MiB" help:"Memory limit of each app container unless its app sets one (quayside ps limits), such as 512MiB or 1GiB; 0 for none."`
	PreviewMemory    string        `env:"QUAYSIDE_PREVIEW_MEMORY" default:"256MiB" help:"Memory cap of each preview container (quayside previews), whatever the preview sets, such as 256MiB; 0 for none."`
	DefaultCPUs      string        `name:"default-cpus" env:"QUAYSIDE_DEFAULT_CPUS" default:"0" help:"CPU limit of each app container unless its app sets one, such as 1 or 0.5; 0 for none."`
	DefaultPids      string        `env:"QUAYSIDE_DEFAULT_PIDS" default:"512" help:"Most processes and threads in each app container unless its app sets otherwise; 0 for none."`
	MaxMemory        string        `env:"QUAYSIDE_MAX_MEMORY" default:"2GiB" help:"Most memory a developer may give one process type (quayside ps limits); admins may set more. 0 for no ceiling."`
	MaxCPUs          string        `name:"max-cpus" env:"QUAYSIDE_MAX_CPUS" default:"0" help:"Most CPUs a developer may give one process type; 0 for the server's CPU count."`
	MaxPids          string        `env:"QUAYSIDE_MAX_PIDS" default:"4096" help:"Most processes and threads a developer may give one process type; 0 for no ceiling."`
	AllowWebhookTo   []string      `name:"allow-webhook-to" env:"QUAYSIDE_ALLOW_WEBHOOK_TO" help:"Ranges (CIDR) webhooks may reach although they are loopback, private or this server's own, such as 10.0.0.0/8 for an internal chat server (repeatable or comma-separated)."`
	InsightsBands    string        `env:"QUAYSIDE_INSIGHTS_BANDS" help:"Limits of the delivery figures' performance bands, where they differ from the 2023 DORA report's: figure=elite,high,medium separated by semicolons, such as lead_time=1d,7d,30d;change_failure=5,10,15;recovery=1h,1d,7d;frequency=1,0.142,0.033 (deploys per day)."`
	InsightsWindow   time.Duration `env:"QUAYSIDE_INSIGHTS_WINDOW" default:"24h" help:"How long after going live a rollback or crash loop makes a release a failed change in the delivery figures."`
	AppSubnets       string        `name:"app-subnets" env:"QUAYSIDE_APP_SUBNETS" default:"10.213.0.0/16" help:"IPv4 range (CIDR) the apps' and builds' Docker networks take their /26 subnets from, instead of Docker's default pools (about 31 networks); a /16 holds 1,024. Checked at start against the host's routes and Docker's networks."`
	CronTick         time.Duration `name:"cron-tick" hidden:"" env:"QUAYSIDE_CRON_TICK" default:"10s" help:"How often the scheduler looks for due jobs (for tests; slots stay whole minutes)."`
	RegistryAddr     string        `name:"registry-addr" env:"QUAYSIDE_REGISTRY_ADDR" default:":5443" help:"Address Quayside's image registry listens on while this server manages a cluster (off in single-node mode): the nodes pull the apps' images from it with TLS and per-app credentials. Without a host it listens on the cluster's advertise address alone (0.0.0.0:5443 for every address). Open its port to the nodes only."`
	PprofAddr        string        `name:"pprof-addr" env:"QUAYSIDE_PPROF_ADDR" help:"Loopback address (such as 127.0.0.1:6060) to serve Go's profiles on at /debug/pprof/, for finding what holds the daemon's memory; off by default."`
}

func (c *serverCmd) Run(g *globals) error {
	cfg, err := c.config(g.data)
	if err != nil {
		return err
	}
	d, err := daemon.Open(g.ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Serve(g.ctx)
}

func (c *serverCmd) config(data string) (*daemon.Config, error) {
	maxPush, err := parseSize("max-push-size", c.MaxPushSize, false)
	if err != nil {
		return nil, err
	}
	if err := validateDomain(c.Domain); err != nil {
		return nil, err
	}
	_, httpPort, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return nil, fieldErr("http-addr", "--http-addr %q is not host:port (for example :80 or 127.0.0.1:8080)", c.HTTPAddr)
	}
	if _, _, err := net.SplitHostPort(c.RegistryAddr); err != nil {
		return nil, fieldErr("registry-addr", "--registry-addr %q is not host:port (for example :5443)", c.RegistryAddr)
	}
	_, sshPort, err := net.SplitHostPort(c.SSHAddr)
	if err != nil {
		return nil, fieldErr("ssh-addr", "--ssh-addr %q is not host:port (for example :2222)", c.SSHAddr)
	}
	if c.StopGrace <= 0 || c.PushTimeout <= 0 {
		return nil, fieldErr("stop-grace", "--stop-grace and --push-timeout must be positive durations")
	}
	buildMemory, err := parseSize("build-memory", c.BuildMemory, true)
	if err != nil {
		return nil, err
	}
	logMax, err := parseSize("log-max-size", c.LogMaxSize, false)
	if err != nil {
		return nil, err
	}
	if logMax < 1<<20 {
		return nil, fieldErr("log-max-size", "--log-max-size must be at least 1MiB")
	}
	if c.SSHMaxConns < 1 || c.SSHMaxConnsPerIP < 1 || c.SSHMaxConnsPerIP > c.SSHMaxConns {
		return nil, fieldErr("ssh-max-conns", "--ssh-max-conns and --ssh-max-conns-per-ip must be at least 1, and the first at least the second")
	}
	if c.MaxBuilds < 1 || c.MaxBuilds > 64 {
		return nil, fieldErr("max-builds", "--max-builds must be between 1 and 64")
	}
	if c.KeepReleases < 1 || c.KeepReleases > 1000 {
		return nil, fieldErr("keep-releases", "--keep-releases must be between 1 and 1000")
	}
	if c.BuildTimeout <= 0 {
		return nil, fieldErr("build-timeout", "--build-timeout must be a positive duration such as 20m")
	}
	if c.Builder != "" {
		if err := engine.ValidateImageRef(c.Builder); err != nil {
			return nil, fieldErr("builder", "--builder %q is not an image reference such as heroku/builder:24", c.Builder)
		}
	}
	if err := engine.ValidateImageRef(c.LifecycleImage); err != nil {
		return nil, fieldErr("lifecycle-image", "--lifecycle-image %q is not an image reference such as quayside/lifecycle:0.20.11", c.LifecycleImage)
	}
	for _, b := range c.AllowedBuilders {
		if err := engine.ValidateAllowedBuilder(b); err != nil {
			return nil, fieldErr("allowed-builders", "--allowed-builders: %s", engine.ErrorMessage(err))
		}
	}
	_, httpsPort, err := net.SplitHostPort(c.HTTPSAddr)
	if err != nil {
		return nil, fieldErr("https-addr", "--https-addr %q is not host:port (for example :443 or 127.0.0.1:8443)", c.HTTPSAddr)
	}
	var acmeRoot []byte
	if c.ACMECARoot != "" {
		if acmeRoot, err = os.ReadFile(c.ACMECARoot); err != nil {
			return nil, fieldErr("acme-ca-root", "cannot read --acme-ca-root %s: %v", c.ACMECARoot, err)
		}
	}
	if c.ACMECA != "" && !strings.HasPrefix(c.ACMECA, "https://") {
		return nil, fieldErr("acme-ca", "--acme-ca must be an https:// ACME directory URL")
	}
	dns, err := c.DNS.config(c.Domain)
	if err != nil {
		return nil, err
	}
	allow, err := parsePrefixes("metrics-allow", c.MetricsAllow)
	if err != nil {
		return nil, err
	}
	trusted, err := parsePrefixes("trusted-proxies", c.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if c.DiskAlert <= 0 || c.DiskAlert >= 100 {
		return nil, fieldErr("disk-alert", "--disk-alert must be a percentage between 0 and 100, such as 90")
	}
	cacheBudget, err := parseSize("build-cache-budget", c.BuildCacheBudget, true)
	if err != nil {
		return nil, err
	}
	if c.GCEvery < 0 {
		return nil, fieldErr("gc-every", "--gc-every must be a duration such as 1h, or 0 for never")
	}
	limits, err := parseLimits("default", c.DefaultMemory, c.DefaultCPUs, c.DefaultPids)
	if err != nil {
		return nil, err
	}
	ceilings, err := parseLimits("max", c.MaxMemory, c.MaxCPUs, c.MaxPids)
	if err != nil {
		return nil, err
	}
	previewMemory := int64(-1)
	if c.PreviewMemory != "0" {
		if previewMemory, err = engine.ParseMemory(c.PreviewMemory); err != nil {
			return nil, fieldErr("preview-memory", "--preview-memory: %s", engine.ErrorMessage(err))
		}
	}
	ins, err := c.insightsSettings()
	if err != nil {
		return nil, err
	}
	webhookAllow, err := egress.ParseAllow(c.AllowWebhookTo)
	if err != nil {
		return nil, fieldErr("allow-webhook-to", "--allow-webhook-to: %v", err)
	}
	appSubnets, err := subnetpool.Parse(c.AppSubnets)
	if err != nil {
		return nil, fieldErr("app-subnets", "--app-subnets: %v", err)
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir: %w", err)
	}
	return &daemon.Config{
		Version: version, Data: abs, Domain: c.Domain, HTTPAddr: c.HTTPAddr, SSHAddr: c.SSHAddr,
		Log: newLogger(c.LogLevel, c.LogFormat), StopGrace: c.StopGrace, MaxPush: maxPush,
		PushTimeout: c.PushTimeout, HTTPPort: httpPort, SSHPort: sshPort,
		HTTPSAddr: c.HTTPSAddr, HTTPSPort: httpsPort, ACMECA: c.ACMECA, ACMERoot: acmeRoot, ACMEEmail: c.ACMEEmail, DNS: dns,
		Builder: c.Builder, AllowedBuilders: c.AllowedBuilders,
		LifecycleImage: c.LifecycleImage, MaxBuilds: c.MaxBuilds, BuildMemory: buildMemory,
		BuildTimeout: c.BuildTimeout, KeepReleases: c.KeepReleases, LogMaxSize: logMax,
		SSHMaxConns: c.SSHMaxConns, SSHMaxConnsPerIP: c.SSHMaxConnsPerIP,
		MetricsAllow: allow, TrustedProxies: trusted, DiskAlert: c.DiskAlert, GCEvery: c.GCEvery, BuildCacheBudget: cacheBudget,
		DefaultLimits: limits, MaxLimits: ceilings, PreviewMemory: previewMemory,
		WebhookAllow: webhookAllow, AppSubnets: appSubnets, Insights: ins, PprofAddr: c.PprofAddr,
		CronTick: c.CronTick, RegistryAddr: c.RegistryAddr,
	}, nil
}

// parseLimits reads the --PREFIX-memory, --PREFIX-cpus and --PREFIX-pids
// flags; "0" caps nothing.
func parseLimits(prefix, memory, cpus, pids string) (engine.Limits, error) {
	var l engine.Limits
	var err error
	if memory != "0" {
		if l.MemoryBytes, err = engine.ParseMemory(memory); err != nil {
			return l, fieldErr(prefix+"-memory", "--%s-memory: %s", prefix, engine.ErrorMessage(err))
		}
	}
	if cpus != "0" {
		if l.NanoCPUs, err = engine.ParseCPUs(cpus, runtime.NumCPU()); err != nil {
			return l, fieldErr(prefix+"-cpus", "--%s-cpus: %s", prefix, engine.ErrorMessage(err))
		}
	}
	if pids != "0" {
		if l.Pids, err = engine.ParsePids(pids); err != nil {
			return l, fieldErr(prefix+"-pids", "--%s-pids: %s", prefix, engine.ErrorMessage(err))
		}
	}
	return l, nil
}

func newLogger(level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// parseSize reads a size flag such as 500MiB or 2GiB; zero only if allowed.
func parseSize(flag, v string, zeroOK bool) (int64, error) {
	if zeroOK && v == "0" {
		return 0, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n <= 0 {
		return 0, fieldErr(flag, "--%s %q is not a size such as 500MiB or 2GiB", flag, v)
	}
	return n, nil
}

// parsePrefixes reads a list flag (--metrics-allow, --trusted-proxies) of
// CIDR prefixes or single addresses.
func parsePrefixes(flag string, list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if a, err := netip.ParseAddr(v); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fieldErr(flag, "--%s %q is not an address or CIDR prefix such as 10.0.0.0/8", flag, v)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
