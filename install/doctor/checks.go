package doctor

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/quayside/quayside/engine"
)

// letsEncrypt is the ACME directory whose Date the clock is compared with
// by default.
const letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// checkDocker: the Docker daemon answers, and its version.
func (d *doctor) checkDocker(ctx context.Context) {
	v, err := d.cfg.Docker(ctx)
	if err != nil {
		d.add("docker", LevelError, engine.ErrorMessage(err),
			"start Docker: systemctl start docker (install it with apt-get install docker.io), then run quayside doctor again")
		return
	}
	if v.Version == "" {
		d.add("docker", LevelError, "Docker answers but does not say its version: "+v.VersionErr, "check Docker: docker version; journalctl -u docker")
		return
	}
	d.dockerRoot = v.RootDir
	detail := fmt.Sprintf("Docker %s (API %s) answers at %s", v.Version, v.APIVersion, v.Host)
	if major, _, _ := strings.Cut(v.Version, "."); atoiOr(major, 0) < 20 {
		d.add("docker", LevelWarn, detail+": older than 20.10, which Quayside is tested with", "upgrade Docker (apt-get install docker.io from a current release)")
		return
	}
	d.add("docker", LevelOK, detail, "")
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// checkDaemon: the daemon answers on its control socket; it tells the
// domain the other checks use.
func (d *doctor) checkDaemon(ctx context.Context) {
	d.domain = d.cfg.Domain
	st, err := d.cfg.Daemon.Status(ctx)
	if err != nil {
		d.add("daemon", LevelWarn, "the Quayside daemon does not answer on "+d.cfg.Socket,
			"start it: systemctl start quayside (journalctl -u quayside says why it stopped); or point --data at its data dir")
	} else {
		d.daemonUp, d.client, d.domain = true, d.cfg.Daemon, st.Domain
		d.add("daemon", LevelOK, fmt.Sprintf("Quayside %s serves %s (instance %s)", st.Version, st.Domain, st.Instance), "")
	}
	if d.domain == "" {
		d.domain = "localhost"
	}
}

// checkDisk: room on the data dir's and Docker's disks.
func (d *doctor) checkDisk(context.Context) {
	paths := []string{d.cfg.Data}
	if d.dockerRoot != "" && d.dockerRoot != d.cfg.Data {
		paths = append(paths, d.dockerRoot)
	}
	for _, p := range paths {
		d.checkDiskAt(p)
	}
}

func (d *doctor) checkDiskAt(path string) {
	var st unix.Statfs_t
	if err := unix.Statfs(existingParent(path), &st); err != nil {
		d.add("disk", LevelWarn, fmt.Sprintf("cannot read the free space of %s: %v", path, err), "")
		return
	}
	free, total := int64(st.Bavail)*int64(st.Bsize), int64(st.Blocks)*int64(st.Bsize)
	pct := 100.0
	if total > 0 {
		pct = float64(free) * 100 / float64(total)
	}
	detail := fmt.Sprintf("%s: %s free of %s (%.0f%%)", path, engine.FormatBytes(free), engine.FormatBytes(total), pct)
	fix := "free space: quayside gc removes old images and caches; docker system df shows what else takes it; or grow the disk"
	switch {
	case pct < 5 || free < 1<<30:
		d.add("disk", LevelError, detail, fix)
	case pct < 15 || free < 5<<30:
		d.add("disk", LevelWarn, detail, fix)
	default:
		d.add("disk", LevelOK, detail, "")
	}
}

// existingParent is path, or its nearest parent that exists.
func existingParent(path string) string {
	for p := path; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil || p == filepath.Dir(p) {
			return p
		}
	}
}

// meminfoPath is where the kernel tells the memory.
const meminfoPath = "/proc/meminfo"

// checkMemory: memory available for builds and apps.
func (d *doctor) checkMemory(context.Context) {
	total, avail, err := readMeminfo(meminfoPath)
	if err != nil {
		d.add("memory", LevelWarn, "cannot read /proc/meminfo: "+err.Error(), "")
		return
	}
	detail := fmt.Sprintf("%s available of %s", engine.FormatBytes(avail), engine.FormatBytes(total))
	fix := "free memory: scale apps down (quayside ps scale), lower --build-memory or --max-builds, add swap, or use a bigger server"
	switch {
	case avail < 128<<20:
		d.add("memory", LevelError, detail+": builds and new releases may be killed for lack of memory", fix)
	case avail < 512<<20 || avail*10 < total:
		d.add("memory", LevelWarn, detail, fix)
	default:
		d.add("memory", LevelOK, detail, "")
	}
}

// readMeminfo returns MemTotal and MemAvailable in bytes.
func readMeminfo(path string) (total, avail int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "MemTotal:":
			total = kb << 10
		case "MemAvailable:":
			avail = kb << 10
		}
	}
	if total == 0 {
		return 0, 0, fmt.Errorf("no MemTotal in %s", path)
	}
	return total, avail, sc.Err()
}

// checkCertificates: the state of every app host's certificate, from the
// daemon.
func (d *doctor) checkCertificates(ctx context.Context) {
	if d.client == nil {
		d.add("certificates", LevelSkip, "skipped: the daemon does not answer", "")
		return
	}
	apps, err := d.client.ListApps(ctx)
	if err != nil {
		d.add("certificates", LevelWarn, "cannot list the apps: "+engine.ErrorMessage(err), "")
		return
	}
	valid, hosts := 0, 0
	for _, a := range apps {
		ds, err := d.client.Domains(ctx, a)
		if err != nil {
			d.add("certificates", LevelWarn, fmt.Sprintf("cannot list the domains of %s: %s", a, engine.ErrorMessage(err)), "")
			continue
		}
		for _, dom := range ds {
			hosts++
			if dom.Cert.State != "" && dom.Cert.State != engine.CertNone {
				d.certHosts = append(d.certHosts, dom.Host)
			}
			if d.checkCertificate(a, dom) {
				valid++
			}
		}
	}
	d.add("certificates", LevelOK, fmt.Sprintf("%d of the apps' %d hosts have a valid certificate", valid, hosts), "")
}

// checkCertificate adds a finding for a host whose certificate is not
// well, and reports whether it is valid.
func (d *doctor) checkCertificate(app string, dom Domain) bool {
	c := dom.Cert
	fix := fmt.Sprintf("make sure %s resolves to this server and ports 80 and 443 are reachable from the internet; quayside domains %s shows the CA's answer", dom.Host, app)
	switch c.State {
	case engine.CertFailed:
		d.add("certificates", LevelError, fmt.Sprintf("%s: no certificate: %s", dom.Host, c.LastError), fix)
	case engine.CertPending:
		d.add("certificates", LevelWarn, dom.Host+": certificate still being obtained", "wait a minute; if it stays pending: "+fix)
	case engine.CertValid:
		switch {
		case c.NotAfter != nil && time.Until(*c.NotAfter) < 7*24*time.Hour && renewalOverdue(c.RenewAt):
			d.add("certificates", LevelWarn, fmt.Sprintf("%s: certificate expires %s", dom.Host, c.NotAfter.Format(time.DateOnly)), fix)
		case c.LastError != "":
			d.add("certificates", LevelWarn, fmt.Sprintf("%s: renewal failing: %s", dom.Host, c.LastError), fix)
		default:
			return true
		}
	}
	return false
}

// renewalOverdue reports whether a renewal should have happened by now
// (short-lived certificates of the local CA expire within days by design).
func renewalOverdue(renewAt *time.Time) bool {
	return renewAt == nil || time.Since(*renewAt) > time.Hour
}

// checkClock compares our clock with the Date of the ACME directory:
// certificates are refused or look not yet valid with a skewed clock.
func (d *doctor) checkClock(ctx context.Context) {
	if d.cfg.Offline || d.local() {
		d.add("clock", LevelSkip, "skipped: "+skipReason(d.cfg.Offline), "")
		return
	}
	url := d.cfg.ACMECA
	if url == "" {
		url = letsEncrypt
	}
	skew, err := clockSkew(ctx, url)
	if err != nil {
		d.add("clock", LevelSkip, fmt.Sprintf("skipped: cannot reach %s to compare clocks (%v)", url, err), "")
		return
	}
	detail := fmt.Sprintf("this clock is %s off %s's", skew.Round(time.Second), url)
	fix := "turn on time synchronisation: timedatectl set-ntp true (or install chrony)"
	switch abs := max(skew, -skew); {
	case abs > 5*time.Minute:
		d.add("clock", LevelError, detail, fix)
	case abs > 30*time.Second:
		d.add("clock", LevelWarn, detail, fix)
	default:
		d.add("clock", LevelOK, detail, "")
	}
}

func skipReason(offline bool) string {
	if offline {
		return "--offline"
	}
	return "local mode gets no certificates from a public CA"
}

// clockSkew is how far our clock is ahead of url's Date header, taken at
// the middle of the request.
func clockSkew(ctx context.Context, url string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return 0, err
	}
	cl := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	resp, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	mid := start.Add(time.Since(start) / 2)
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return 0, fmt.Errorf("no Date header")
	}
	return mid.Sub(date), nil
}
