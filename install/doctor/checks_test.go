package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// fakeDaemon answers like a running daemon with apps and their domains.
type fakeDaemon struct {
	down    bool
	domains map[string][]Domain
}

func (f *fakeDaemon) Status(context.Context) (Status, error) {
	if f.down {
		return Status{}, errors.New("connection refused")
	}
	return Status{Version: "v9", Domain: "example.com", Instance: "abcd"}, nil
}

func (f *fakeDaemon) ListApps(context.Context) ([]string, error) {
	var out []string
	for a := range f.domains {
		out = append(out, a)
	}
	return out, nil
}

func (f *fakeDaemon) Domains(_ context.Context, app string) ([]Domain, error) {
	if app == "broken" {
		return nil, engine.Errorf(engine.EUNAVAILABLE, "boom")
	}
	return f.domains[app], nil
}

// only returns the findings of check.
func only(fs []Finding, check string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

func TestCheckDocker(t *testing.T) {
	cases := map[string]struct {
		info  DockerInfo
		err   error
		level string
		want  string
	}{
		"down":         {err: engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Docker daemon"), level: LevelError, want: "cannot reach"},
		"no version":   {info: DockerInfo{VersionErr: "bad gateway"}, level: LevelError, want: "bad gateway"},
		"old":          {info: DockerInfo{Version: "19.03.1", APIVersion: "1.40", Host: "unix:///d"}, level: LevelWarn, want: "older than 20.10"},
		"current":      {info: DockerInfo{Version: "26.1.0", APIVersion: "1.45", Host: "unix:///d", RootDir: "/var/lib/docker"}, level: LevelOK, want: "Docker 26.1.0 (API 1.45) answers at unix:///d"},
		"odd versions": {info: DockerInfo{Version: "dev", Host: "x"}, level: LevelWarn, want: "older than"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &doctor{cfg: Config{Docker: func(context.Context) (DockerInfo, error) { return tc.info, tc.err }}}
			d.checkDocker(t.Context())
			require.Len(t, d.findings, 1)
			assert.Equal(t, tc.level, d.findings[0].Level)
			assert.Contains(t, d.findings[0].Detail, tc.want)
			assert.Equal(t, tc.info.RootDir, d.dockerRoot)
		})
	}
}

func TestCheckDaemon(t *testing.T) {
	d := &doctor{cfg: Config{Daemon: &fakeDaemon{}, Domain: "flag.example"}}
	d.checkDaemon(t.Context())
	assert.Equal(t, LevelOK, d.findings[0].Level)
	assert.Equal(t, "example.com", d.domain, "the daemon's own domain wins")
	assert.True(t, d.daemonUp)

	d = &doctor{cfg: Config{Daemon: &fakeDaemon{down: true}, Socket: "/data/control.sock"}}
	d.checkDaemon(t.Context())
	assert.Equal(t, LevelWarn, d.findings[0].Level)
	assert.Contains(t, d.findings[0].Detail, "/data/control.sock")
	assert.Equal(t, "localhost", d.domain)
	assert.Nil(t, d.client)
}

func TestCheckCertificates(t *testing.T) {
	d := &doctor{}
	d.checkCertificates(t.Context())
	assert.Equal(t, LevelSkip, d.findings[0].Level, "no daemon, nothing to ask")

	valid := Certificate{State: engine.CertValid, NotAfter: ptr(time.Now().Add(60 * 24 * time.Hour)), RenewAt: ptr(time.Now().Add(30 * 24 * time.Hour))}
	d = &doctor{client: &fakeDaemon{domains: map[string][]Domain{
		"shop":   {{Host: "shop.example.com", Default: true, Cert: valid}, {Host: "shop.test", Cert: Certificate{State: engine.CertFailed, LastError: "no DNS"}}},
		"broken": nil,
	}}}
	d.checkCertificates(t.Context())
	levels := map[string]string{}
	for _, f := range d.findings {
		levels[f.Detail] = f.Level
	}
	assert.Equal(t, LevelError, levels["shop.test: no certificate: no DNS"])
	assert.Equal(t, LevelWarn, levels["cannot list the domains of broken: boom"])
	assert.Equal(t, LevelOK, levels["1 of the apps' 2 hosts have a valid certificate"])
}

func ptr[T any](v T) *T { return &v }

func TestCheckPortFindsTheListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	comm, err := os.ReadFile("/proc/self/comm")
	require.NoError(t, err)

	d := &doctor{cfg: Config{Settings: "/etc/quayside/quayside.env"}}
	d.checkPort("http-addr", fmt.Sprintf(":%d", port))
	require.Len(t, d.findings, 1)
	assert.Equal(t, LevelError, d.findings[0].Level)
	assert.Contains(t, d.findings[0].Detail, fmt.Sprintf("is taken by %s (pid %d)", strings.TrimSpace(string(comm)), os.Getpid()))
	assert.Contains(t, d.findings[0].Fix, "QUAYSIDE_HTTP_ADDR in /etc/quayside/quayside.env")
}

func TestCheckPortFindings(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close()) // now nothing listens on it

	d := &doctor{}
	d.checkPort("ssh-addr", "no port")
	d.checkPort("ssh-addr", fmt.Sprintf(":%d", port))
	d.daemonUp = true
	d.checkPort("ssh-addr", fmt.Sprintf(":%d", port))
	require.Len(t, d.findings, 3)
	assert.Equal(t, LevelError, d.findings[0].Level)
	assert.Contains(t, d.findings[0].Detail, "is not host:port")
	assert.Equal(t, LevelWarn, d.findings[1].Level, "free while Quayside does not run")
	assert.Equal(t, LevelError, d.findings[2].Level, "free although the daemon runs: another address")
	assert.Contains(t, d.findings[2].Fix, "QUAYSIDE_SSH_ADDR")
}

func TestSocketOwner(t *testing.T) {
	pid, comm := socketOwner(nil)
	assert.Zero(t, pid)
	assert.Empty(t, comm)
	pid, _ = socketOwner([]string{"999999999999"})
	assert.Zero(t, pid, "an inode nobody holds")
}

func TestCheckDisk(t *testing.T) {
	dir := t.TempDir()
	d := &doctor{cfg: Config{Data: filepath.Join(dir, "not", "yet")}, dockerRoot: dir}
	d.checkDisk(t.Context())
	require.Len(t, d.findings, 2, "the data dir's disk and Docker's")
	for _, f := range d.findings {
		assert.Contains(t, []string{LevelOK, LevelWarn, LevelError}, f.Level)
		assert.Contains(t, f.Detail, "free of")
	}
	assert.Equal(t, dir, existingParent(filepath.Join(dir, "not", "yet")))
}

func TestCheckMemory(t *testing.T) {
	d := &doctor{}
	d.checkMemory(t.Context())
	require.Len(t, d.findings, 1)
	assert.Contains(t, d.findings[0].Detail, "available of")
}

func TestSkipsWithoutTheInternet(t *testing.T) {
	for name, cfg := range map[string]Config{
		"offline":    {Offline: true},
		"local mode": {Local: func(string) bool { return true }},
	} {
		t.Run(name, func(t *testing.T) {
			d := &doctor{cfg: cfg, domain: "localhost"}
			d.checkDNS(t.Context())
			d.checkClock(t.Context())
			require.Len(t, d.findings, 2)
			for _, f := range d.findings {
				assert.Equal(t, LevelSkip, f.Level)
			}
		})
	}
}

func TestHostsToResolve(t *testing.T) {
	d := &doctor{domain: "example.com", client: &fakeDaemon{domains: map[string][]Domain{
		"shop": {{Host: "shop.example.com", Default: true}, {Host: "www.shop.test"}},
	}}}
	hosts := d.hostsToResolve(t.Context())
	require.Len(t, hosts, 3)
	assert.Equal(t, "quayside.example.com", hosts[0])
	assert.Regexp(t, `^doctor-[0-9a-f]{8}\.example\.com$`, hosts[1], "a made-up name tests the wildcard record")
	assert.Equal(t, "www.shop.test", hosts[2], "custom domains, not the default ones")
}

func TestCheckHost(t *testing.T) {
	d := &doctor{domain: "example.com"}
	d.checkHost(t.Context(), "127.0.0.1", map[string]bool{"127.0.0.1": true})
	d.checkHost(t.Context(), "127.0.0.1", map[string]bool{"192.0.2.1": true})
	require.Len(t, d.findings, 2)
	assert.Equal(t, LevelOK, d.findings[0].Level)
	assert.Equal(t, LevelWarn, d.findings[1].Level)
	assert.Contains(t, d.findings[1].Detail, "not to an address of this machine (192.0.2.1)")
}

// dateServer answers with a Date header off by skew.
func dateServer(t *testing.T, skew time.Duration) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(-skew).UTC().Format(http.TimeFormat))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestCheckClock(t *testing.T) {
	cases := map[string]struct {
		skew  time.Duration
		level string
	}{
		"in time":       {0, LevelOK},
		"a minute off":  {time.Minute, LevelWarn},
		"an hour ahead": {time.Hour, LevelError},
		"an hour late":  {-time.Hour, LevelError},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &doctor{cfg: Config{ACMECA: dateServer(t, tc.skew)}, domain: "example.com"}
			d.checkClock(t.Context())
			require.Len(t, d.findings, 1)
			assert.Equal(t, tc.level, d.findings[0].Level, d.findings[0].Detail)
		})
	}
	t.Run("no Date header", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header()["Date"] = nil }))
		t.Cleanup(srv.Close)
		_, err := clockSkew(t.Context(), srv.URL)
		assert.ErrorContains(t, err, "no Date header")
	})
	t.Run("unreachable", func(t *testing.T) {
		d := &doctor{cfg: Config{ACMECA: "http://127.0.0.1:1/directory"}, domain: "example.com"}
		d.checkClock(t.Context())
		assert.Equal(t, LevelSkip, d.findings[0].Level)
	})
}

func TestRunOffline(t *testing.T) {
	cfg := Config{
		Data: t.TempDir(), Socket: "control.sock", HTTPAddr: ":1", HTTPSAddr: ":2", SSHAddr: ":3", Offline: true,
		Docker: func(context.Context) (DockerInfo, error) { return DockerInfo{Version: "26.0"}, nil },
		Daemon: &fakeDaemon{down: true},
	}
	fs := Run(t.Context(), cfg)
	var checks []string
	for _, f := range fs {
		if len(checks) == 0 || checks[len(checks)-1] != f.Check {
			checks = append(checks, f.Check)
		}
	}
	assert.Equal(t, []string{"docker", "daemon", "ports", "dns", "disk", "memory", "certificates", "certificate limits", "clock"}, checks, "every check, in order")
	assert.Len(t, only(fs, "ports"), 3)
}

func timeIn(seconds int) time.Time { return time.Now().Add(time.Duration(seconds) * time.Second) }

// failingDaemon answers its status but fails every list.
type failingDaemon struct{ fakeDaemon }

func (failingDaemon) ListApps(context.Context) ([]string, error) {
	return nil, engine.Errorf(engine.EUNAVAILABLE, "store closed")
}

func TestListFailures(t *testing.T) {
	d := &doctor{domain: "example.com", client: &failingDaemon{}}
	d.checkCertificates(t.Context())
	require.Len(t, d.findings, 1)
	assert.Equal(t, LevelWarn, d.findings[0].Level)
	assert.Equal(t, "cannot list the apps: store closed", d.findings[0].Detail)
	assert.Len(t, d.hostsToResolve(t.Context()), 2, "the control host and the wildcard still get checked")

	d = &doctor{domain: "example.com"}
	assert.Len(t, d.hostsToResolve(t.Context()), 2, "without the daemon too")
}

func TestSettingsFillACME(t *testing.T) {
	p := writeTemp(t, "QUAYSIDE_ACME_CA='https://ca.test/dir'\nQUAYSIDE_SSH_ADDR = :2022\n")
	c := &Config{Settings: p, ACMECA: ""}
	c.FillFromSettings()
	assert.Equal(t, "https://ca.test/dir", c.ACMECA)
	assert.Equal(t, ":2022", c.SSHAddr, "spaces around = are fine")
	assert.Equal(t, map[string]string{}, ReadSettings(filepath.Join(t.TempDir(), "none")))
}
