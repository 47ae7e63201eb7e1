package main

import (
	"fmt"
	"strings"

	"github.com/quayside/quayside/cmd/quayside/daemon"
	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/install/doctor"
	"github.com/quayside/quayside/proxy/certs"
	"github.com/quayside/quayside/ui/api"
)

// doctorCmd checks what Quayside needs from the server and says how to
// fix each problem (install/doctor has the checks). It runs on the server;
// with the daemon running it also asks it for the domain and the
// certificates. Flags left unset are read from the environment, then from
// the service's settings file.
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

func (c *doctorCmd) Run(g *globals) error {
	if g.remote != "" {
		return engine.Errorf(engine.EINVALID, "doctor checks the machine it runs on: run it on the server, without --server")
	}
	cfg := doctor.Config{
		Data: g.data, Socket: daemon.ControlSocket(g.data), Domain: c.Domain, HTTPAddr: c.HTTPAddr, HTTPSAddr: c.HTTPSAddr,
		SSHAddr: c.SSHAddr, ACMECA: c.ACMECA, Settings: c.Settings, Offline: c.Offline,
		Local:  func(domain string) bool { return certs.ModeFor(domain) == certs.ModeLocal },
		Docker: dockerInfo, Daemon: doctorDaemon{api.NewUnixClient(daemon.ControlSocket(g.data))},
	}
	cfg.FillFromSettings()
	findings := doctor.Run(g.ctx, cfg)
	if c.JSON {
		if err := printJSON(findings); err != nil {
			return err
		}
	} else {
		printFindings(findings)
	}
	for _, f := range findings {
		if f.Level == doctor.LevelError {
			return exitStatus(1)
		}
	}
	return nil
}

// printFindings writes the findings, each problem with its fix, and a summary.
func printFindings(findings []doctor.Finding) {
	counts := map[string]int{}
	for _, f := range findings {
		counts[f.Level]++
		fmt.Printf("%-5s  %-12s %s\n", strings.ToUpper(f.Level), f.Check, f.Detail)
		if f.Fix != "" {
			fmt.Printf("       %-12s fix: %s\n", "", f.Fix)
		}
	}
	fmt.Printf("\n%d ok, %d skipped, %d warnings, %d errors.\n",
		counts[doctor.LevelOK], counts[doctor.LevelSkip], counts[doctor.LevelWarn], counts[doctor.LevelError])
}
