package daemon

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/subnetpool"
	"github.com/quayside/quayside/proxy/certs"
)

// Config is the validated form of the server flags (cmd/quayside checks
// them); Open takes it as it is.
type Config struct {
	Version          string // of the binary, reported by the API and logs
	Data             string // the data dir, absolute
	Domain           string // apps answer at <app>.<Domain>
	HTTPAddr         string
	HTTPSAddr        string
	SSHAddr          string
	HTTPPort         string // the ports of the addresses above, for URLs
	HTTPSPort        string
	SSHPort          string
	Log              *slog.Logger
	StopGrace        time.Duration
	MaxPush          int64
	PushTimeout      time.Duration
	Builder          string
	AllowedBuilders  []string
	LifecycleImage   string
	MaxBuilds        int
	BuildMemory      int64
	BuildTimeout     time.Duration
	KeepReleases     int
	LogMaxSize       int64
	ACMECA           string
	ACMERoot         []byte
	ACMEEmail        string
	DNS              *certs.DNSConfig // the wildcard certificate for *.Domain (DNS-01); nil: none
	MetricsAllow     []netip.Prefix
	TrustedProxies   []netip.Prefix
	SSHMaxConns      int
	SSHMaxConnsPerIP int
	DiskAlert        float64
	GCEvery          time.Duration
	BuildCacheBudget int64
	DefaultLimits    engine.Limits
	// MaxLimits are the most a developer may give a process type.
	MaxLimits     engine.Limits
	WebhookAllow  []netip.Prefix
	AppSubnets    subnetpool.Pool // of the apps' and builds' networks; zero means subnetpool.Default
	PreviewMemory int64           // memory cap of preview containers; negative for none
	Insights      engine.InsightsSettings
	CronTick      time.Duration // how often the scheduler looks for due jobs; 0 for the default
	PprofAddr     string        // loopback address to serve net/http/pprof on; "" for none
	RegistryAddr  string        // where the cluster's registry listens (see Daemon.NewRegistry)
}

// Local reports whether the server runs in local mode: certificates from
// its own CA, for laptops.
func (cfg *Config) Local() bool { return certs.ModeFor(cfg.Domain) == certs.ModeLocal }

// AppURL returns how users reach an app: https://<app>.<domain>[:port]
// with public certificates, http://<app>.<domain>[:port] in local mode.
func (cfg *Config) AppURL(app string) string { return cfg.HostURL(app + "." + cfg.Domain) }

// HostURL returns how users reach a host the proxy serves (an app's own
// host or a custom domain): https with the HTTPS port unless it is 443, or
// http with the HTTP port unless it is 80 in local mode, whose certificates
// browsers do not trust. It is the one place that knows the scheme and port.
func (cfg *Config) HostURL(host string) string {
	if cfg.Local() {
		if cfg.HTTPPort != "80" {
			host = net.JoinHostPort(host, cfg.HTTPPort)
		}
		return "http://" + host
	}
	if cfg.HTTPSPort != "443" {
		host = net.JoinHostPort(host, cfg.HTTPSPort)
	}
	return "https://" + host
}

// GitURL is the prefix of push URLs.
func (cfg *Config) GitURL() string {
	return fmt.Sprintf("ssh://git@%s/", net.JoinHostPort(cfg.Domain, cfg.SSHPort))
}

// GCPolicy is what garbage collection keeps.
func (cfg *Config) GCPolicy() engine.GCPolicy {
	return engine.GCPolicy{BuildCacheBudget: cfg.BuildCacheBudget}
}
