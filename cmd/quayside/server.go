package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/docker/go-units"
)

// serverCmd runs the daemon. Every flag has a matching environment variable.
type serverCmd struct {
	Domain      string        `env:"QUAYSIDE_DOMAIN" default:"localhost" help:"Base domain: apps answer at <app>.<domain>. Use localhost for local use."`
	HTTPAddr    string        `name:"http-addr" env:"QUAYSIDE_HTTP_ADDR" default:":80" help:"Address of the HTTP proxy in front of the apps."`
	SSHAddr     string        `name:"ssh-addr" env:"QUAYSIDE_SSH_ADDR" default:":2222" help:"Address of the SSH server that takes git pushes."`
	LogLevel    string        `env:"QUAYSIDE_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Log level: debug, info, warn or error."`
	LogFormat   string        `env:"QUAYSIDE_LOG_FORMAT" default:"text" enum:"text,json" help:"Log format: text or json."`
	StopGrace   time.Duration `env:"QUAYSIDE_STOP_GRACE" default:"10s" help:"How long a stopping container may take to exit after SIGTERM before it is killed."`
	MaxPushSize string        `env:"QUAYSIDE_MAX_PUSH_SIZE" default:"1GiB" help:"Largest git push accepted (the pack git sends), such as 500MiB or 2GiB."`
	PushTimeout time.Duration `env:"QUAYSIDE_PUSH_TIMEOUT" default:"30m" help:"Longest a push may take, build and deploy included."`
}

func (c *serverCmd) Run(g *globals) error {
	cfg, err := c.config(g.data)
	if err != nil {
		return err
	}
	d, err := openDaemon(g.ctx, cfg)
	if err != nil {
		return err
	}
	defer d.close()
	return d.serve(g.ctx)
}

// daemonConfig is the validated form of the server flags.
type daemonConfig struct {
	data, domain      string
	httpAddr, sshAddr string
	log               *slog.Logger
	stopGrace         time.Duration
	maxPush           int64
	pushTimeout       time.Duration
	httpPort, sshPort string
}

func (c *serverCmd) config(data string) (*daemonConfig, error) {
	maxPush, err := units.RAMInBytes(c.MaxPushSize)
	if err != nil || maxPush <= 0 {
		return nil, fieldErr("max-push-size", "--max-push-size %q is not a size such as 500MiB or 2GiB", c.MaxPushSize)
	}
	if err := validateDomain(c.Domain); err != nil {
		return nil, err
	}
	_, httpPort, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return nil, fieldErr("http-addr", "--http-addr %q is not host:port (for example :80 or 127.0.0.1:8080)", c.HTTPAddr)
	}
	_, sshPort, err := net.SplitHostPort(c.SSHAddr)
	if err != nil {
		return nil, fieldErr("ssh-addr", "--ssh-addr %q is not host:port (for example :2222)", c.SSHAddr)
	}
	if c.StopGrace <= 0 || c.PushTimeout <= 0 {
		return nil, fieldErr("stop-grace", "--stop-grace and --push-timeout must be positive durations")
	}
	abs, err := filepath.Abs(data)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir: %w", err)
	}
	return &daemonConfig{
		data: abs, domain: c.Domain, httpAddr: c.HTTPAddr, sshAddr: c.SSHAddr,
		log: newLogger(c.LogLevel, c.LogFormat), stopGrace: c.StopGrace, maxPush: maxPush,
		pushTimeout: c.PushTimeout, httpPort: httpPort, sshPort: sshPort,
	}, nil
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

// appURL returns how users reach an app: http://<app>.<domain>[:port].
func (cfg *daemonConfig) appURL(app string) string {
	host := app + "." + cfg.domain
	if cfg.httpPort != "80" {
		host = net.JoinHostPort(host, cfg.httpPort)
	}
	return "http://" + host
}

// gitURL is the prefix of push URLs.
func (cfg *daemonConfig) gitURL() string {
	return fmt.Sprintf("ssh://git@%s/", net.JoinHostPort(cfg.domain, cfg.sshPort))
}
