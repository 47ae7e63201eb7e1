package doctor

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// checkPorts: who listens on the daemon's HTTP, HTTPS and SSH ports.
func (d *doctor) checkPorts(context.Context) {
	for _, p := range []struct{ flag, addr string }{
		{"http-addr", d.cfg.HTTPAddr}, {"https-addr", d.cfg.HTTPSAddr}, {"ssh-addr", d.cfg.SSHAddr},
	} {
		d.checkPort(p.flag, p.addr)
	}
}

func (d *doctor) checkPort(flag, addr string) {
	_, portStr, err := net.SplitHostPort(addr)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil {
		d.add("ports", LevelError, fmt.Sprintf("--%s %q is not host:port", flag, addr), "set it like :80 or 127.0.0.1:8080")
		return
	}
	inodes := listeningInodes(port)
	pid, comm := socketOwner(inodes)
	switch {
	case len(inodes) == 0 && d.daemonUp:
		d.add("ports", LevelError, fmt.Sprintf("port %d (--%s): nothing listens, though the daemon runs", port, flag),
			fmt.Sprintf("the daemon runs with another --%s: give doctor the same (QUAYSIDE_%s in %s)", flag, envName(flag), d.cfg.Settings))
	case len(inodes) == 0:
		d.add("ports", LevelWarn, fmt.Sprintf("port %d (--%s): free, Quayside does not run", port, flag), "start it: systemctl start quayside")
	case comm == "quayside":
		d.add("ports", LevelOK, fmt.Sprintf("port %d (--%s): Quayside listens (pid %d)", port, flag, pid), "")
	case comm != "":
		d.add("ports", LevelError, fmt.Sprintf("port %d (--%s) is taken by %s (pid %d)", port, flag, comm, pid),
			fmt.Sprintf("stop it (systemctl disable --now %s) or give Quayside another port: QUAYSIDE_%s in %s", comm, envName(flag), d.cfg.Settings))
	case d.daemonUp:
		d.add("ports", LevelOK, fmt.Sprintf("port %d (--%s): in use, by the daemon it seems (run doctor as root to see who)", port, flag), "")
	default:
		d.add("ports", LevelError, fmt.Sprintf("port %d (--%s) is taken by another program", port, flag),
			fmt.Sprintf("see which with: ss -ltnp 'sport = :%d'; stop it or give Quayside another port", port))
	}
}

// envName is the environment variable of a flag, without QUAYSIDE_.
func envName(flag string) string {
	return strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// listeningInodes returns the socket inodes listening on TCP port, from
// /proc/net/tcp and tcp6 (readable by anyone).
func listeningInodes(port int) []string {
	var out []string
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		out = append(out, parseListeners(f, port)...)
	}
	return out
}

// parseListeners reads one /proc/net/tcp file: "sl local rem st ... inode".
func parseListeners(path string, port int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" || !strings.HasSuffix(fields[1], want) {
			continue
		}
		out = append(out, fields[9])
	}
	return out
}

// socketOwner finds the process holding one of the socket inodes: its pid
// and name, 0 and "" when it is not visible (another user's, without root).
func socketOwner(inodes []string) (int, string) {
	if len(inodes) == 0 {
		return 0, ""
	}
	want := map[string]bool{}
	for _, ino := range inodes {
		want["socket:["+ino+"]"] = true
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err != nil || !want[link] {
			continue
		}
		pidDir := filepath.Dir(filepath.Dir(fd))
		pid, _ := strconv.Atoi(filepath.Base(pidDir))
		comm, _ := os.ReadFile(filepath.Join(pidDir, "comm"))
		return pid, strings.TrimSpace(string(comm))
	}
	return 0, ""
}

// checkDNS: the control host, a random app host (the wildcard record) and
// the apps' custom domains resolve to this machine.
func (d *doctor) checkDNS(ctx context.Context) {
	if d.cfg.Offline || d.local() {
		d.add("dns", LevelSkip, "skipped: "+skipReason(d.cfg.Offline), "")
		return
	}
	mine := localAddrs()
	for _, host := range d.hostsToResolve(ctx) {
		d.checkHost(ctx, host, mine)
	}
}

// hostsToResolve lists the control host, a made-up app host and the
// custom domains of the apps (at most 50).
func (d *doctor) hostsToResolve(ctx context.Context) []string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	hosts := []string{"quayside." + d.domain, "doctor-" + hex.EncodeToString(b) + "." + d.domain}
	if d.client == nil {
		return hosts
	}
	apps, err := d.client.ListApps(ctx)
	if err != nil {
		return hosts
	}
	for _, a := range apps {
		ds, err := d.client.Domains(ctx, a)
		if err != nil {
			continue
		}
		for _, dom := range ds {
			if !dom.Default && len(hosts) < 50 {
				hosts = append(hosts, dom.Host)
			}
		}
	}
	return hosts
}

func (d *doctor) checkHost(ctx context.Context, host string, mine map[string]bool) {
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	here := strings.Join(slices.Sorted(maps.Keys(mine)), ", ")
	if err != nil || len(addrs) == 0 {
		d.add("dns", LevelError, host+" does not resolve",
			fmt.Sprintf("add DNS records for %s and *.%s pointing at this server (%s)", d.domain, d.domain, here))
		return
	}
	for _, a := range addrs {
		if mine[a] {
			d.add("dns", LevelOK, fmt.Sprintf("%s resolves here (%s)", host, strings.Join(addrs, ", ")), "")
			return
		}
	}
	d.add("dns", LevelWarn, fmt.Sprintf("%s resolves to %s, not to an address of this machine (%s)", host, strings.Join(addrs, ", "), here),
		"if a router or load balancer forwards ports 80 and 443 from there to this server, all is well; otherwise point the record at this server")
}

// localAddrs are this machine's addresses, loopback left out.
func localAddrs() map[string]bool {
	out := map[string]bool{}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
			out[ipn.IP.String()] = true
		}
	}
	return out
}
