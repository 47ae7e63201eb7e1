package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/proxy/certs"
	"github.com/quayside/quayside/ui/api"
)

// doctorCmd checks what Quayside needs from the server and says how to
// fix each problem. It runs on the server; with the daemon running it also
// asks it for the domain and the certificates. Flags left unset are read
// from the environment, then from the service's settings file.
type doctorCmd struct {
	Domain    string `env:"QUAYSIDE_DOMAIN" help:"Base domain, for when the daemon does not answer (when it does, its own domain is checked); default: the service settings', else localhost."`
	HTTPAddr  string `name:"http-addr" env:"QUAYSIDE_HTTP_ADDR" help:"The daemon's HTTP address (default :80)."`
	HTTPSAddr string `name:"https-addr" env:"QUAYSIDE_HTTPS_ADDR" help:"The daemon's HTTPS address (default :443)."`
	SSHAddr   string `name:"ssh-addr" env:"QUAYSIDE_SSH_ADDR" help:"The daemon's SSH address (default :2222)."`
	ACMECA    string `name:"acme-ca" env:"QUAYSIDE_ACME_CA" help:"ACME directory whose clock is compared with ours (default: Let's Encrypt)."`
	Settings  string `default:"/etc/quayside/quayside.env" help:"The service's settings file, read for the values above."`
	Offline   bool   `help:"Skip the checks that need the internet (DNS, clock)."`
	JSON      bool   `help:"Print JSON."`
}

// Finding levels.
const (
	levelOK    = "ok"
	levelSkip  = "skip"
	levelWarn  = "warn"
	levelError = "error"
)

// finding is the result of one check.
type finding struct {
	Check  string `json:"check"`
	Level  string `json:"level"`
	Detail string `json:"detail"`
	// Fix says what to do; empty when all is well.
	Fix string `json:"fix,omitempty"`
}

// doctor holds what the checks share.
type doctor struct {
	cmd    *doctorCmd
	g      *globals
	status *api.Status // nil when the daemon does not answer
	client *api.Client
	domain string
	// dockerRoot is Docker's data directory, "" when unknown.
	dockerRoot string
	findings   []finding
}

func (c *doctorCmd) Run(g *globals) error {
	if g.remote != "" {
		return engine.Errorf(engine.EINVALID, "doctor checks the machine it runs on: run it on the server, without --server")
	}
	c.fillFromSettings()
	d := &doctor{cmd: c, g: g}
	d.run(g.ctx)
	if c.JSON {
		if err := printJSON(d.findings); err != nil {
			return err
		}
	} else {
		d.print()
	}
	for _, f := range d.findings {
		if f.Level == levelError {
			return exitStatus(1)
		}
	}
	return nil
}

// run runs every check in order.
func (d *doctor) run(ctx context.Context) {
	checks := []func(context.Context){
		d.checkDocker, d.checkDaemon, d.checkPorts, d.checkDNS,
		d.checkDisk, d.checkMemory, d.checkCertificates, d.checkClock,
	}
	for _, check := range checks {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		check(cctx)
		cancel()
	}
}

func (d *doctor) add(check, level, detail, fix string) {
	d.findings = append(d.findings, finding{Check: check, Level: level, Detail: detail, Fix: fix})
}

// local reports whether the domain is served in local mode (no public
// DNS, certificates from the local CA).
func (d *doctor) local() bool { return certs.ModeFor(d.domain) == certs.ModeLocal }

// print writes the findings, each problem with its fix, and a summary.
func (d *doctor) print() {
	counts := map[string]int{}
	for _, f := range d.findings {
		counts[f.Level]++
		fmt.Printf("%-5s  %-12s %s\n", strings.ToUpper(f.Level), f.Check, f.Detail)
		if f.Fix != "" {
			fmt.Printf("       %-12s fix: %s\n", "", f.Fix)
		}
	}
	fmt.Printf("\n%d ok, %d skipped, %d warnings, %d errors.\n", counts[levelOK], counts[levelSkip], counts[levelWarn], counts[levelError])
}

// fillFromSettings takes the values not given from the service's settings
// file (KEY=VALUE lines), when it is there and readable.
func (c *doctorCmd) fillFromSettings() {
	vals := readSettings(c.Settings)
	for key, dst := range map[string]*string{
		"QUAYSIDE_DOMAIN": &c.Domain, "QUAYSIDE_HTTP_ADDR": &c.HTTPAddr, "QUAYSIDE_HTTPS_ADDR": &c.HTTPSAddr,
		"QUAYSIDE_SSH_ADDR": &c.SSHAddr, "QUAYSIDE_ACME_CA": &c.ACMECA,
	} {
		if *dst == "" {
			*dst = vals[key]
		}
	}
	for dst, def := range map[*string]string{&c.HTTPAddr: ":80", &c.HTTPSAddr: ":443", &c.SSHAddr: ":2222"} {
		if *dst == "" {
			*dst = def
		}
	}
}

// readSettings reads KEY=VALUE lines; comments and blank lines are skipped.
func readSettings(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return out
}
