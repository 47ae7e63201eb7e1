package doctor

import (
	"context"
	"time"
)

// Finding levels.
const (
	LevelOK    = "ok"
	LevelSkip  = "skip"
	LevelWarn  = "warn"
	LevelError = "error"
)

// Finding is the result of one check.
type Finding struct {
	Check  string `json:"check"`
	Level  string `json:"level"`
	Detail string `json:"detail"`
	// Fix says what to do; empty when all is well.
	Fix string `json:"fix,omitempty"`
}

// Config is what the checks look at, and the probes that reach Docker and
// the daemon (wired in cmd).
type Config struct {
	Data      string // the data dir
	Socket    string // the daemon's control socket, for messages
	Domain    string // for when the daemon does not answer; "" is localhost
	HTTPAddr  string
	HTTPSAddr string
	SSHAddr   string
	ACMECA    string // whose clock ours is compared with; "" is Let's Encrypt
	Settings  string // the service's settings file, named in fixes
	Offline   bool   // skip the checks that need the internet
	// DNSProvider is the server's --dns-provider: with it a wildcard
	// certificate covers the hosts one label under the domain.
	DNSProvider string
	// Local reports whether domain is served in local mode (no public DNS,
	// certificates from the local CA).
	Local  func(domain string) bool
	Docker func(ctx context.Context) (DockerInfo, error)
	Daemon Daemon
}

// DockerInfo is what the Docker daemon says of itself. An empty Version
// with VersionErr set means it answered but did not tell its version.
type DockerInfo struct {
	Version, APIVersion, Host string
	RootDir                   string // Docker's data directory, "" when unknown
	VersionErr                string
}

// Daemon is the Quayside daemon as the checks ask it, over its control
// socket.
type Daemon interface {
	Status(ctx context.Context) (Status, error)
	// ListApps names the apps.
	ListApps(ctx context.Context) ([]string, error)
	Domains(ctx context.Context, app string) ([]Domain, error)
}

// Status is what the daemon says of itself.
type Status struct{ Version, Domain, Instance string }

// Domain is a host of an app and its certificate.
type Domain struct {
	Host    string
	Default bool
	Cert    Certificate
}

// Certificate is the state of a host's certificate (engine.Cert* states).
type Certificate struct {
	State     string
	NotAfter  *time.Time
	RenewAt   *time.Time
	LastError string
}

// doctor holds what the checks share.
type doctor struct {
	cfg        Config
	daemonUp   bool
	client     Daemon // nil when the daemon does not answer
	domain     string
	dockerRoot string
	// certHosts are the app hosts with a certificate of their own (or one
	// being obtained), from checkCertificates.
	certHosts []string
	findings  []Finding
}

// Run runs every check in order, each within 20 seconds, and returns the
// findings: what is well, what was skipped, and each problem with its fix.
func Run(ctx context.Context, cfg Config) []Finding {
	d := &doctor{cfg: cfg}
	checks := []func(context.Context){
		d.checkDocker, d.checkDaemon, d.checkPorts, d.checkDNS,
		d.checkDisk, d.checkMemory, d.checkCertificates, d.checkCertificateLimits, d.checkClock,
	}
	for _, check := range checks {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		check(cctx)
		cancel()
	}
	return d.findings
}

func (d *doctor) add(check, level, detail, fix string) {
	d.findings = append(d.findings, Finding{Check: check, Level: level, Detail: detail, Fix: fix})
}

// local reports whether the domain is served in local mode.
func (d *doctor) local() bool { return d.cfg.Local != nil && d.cfg.Local(d.domain) }
