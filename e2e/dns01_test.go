package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/pebbletest"
)

// updateServer is a stand-in for a name server that takes RFC 2136
// dynamic updates signed with TSIG (BIND, PowerDNS, Knot): it checks the
// signature and puts the TXT records it is sent into Pebble's DNS, where
// Pebble looks for the DNS-01 challenge.
type updateServer struct {
	t      *testing.T
	pebble *pebbletest.Server
	addr   string

	mu              sync.Mutex
	added, unsigned int
	removed         int
}

const tsigKeyName = "quayside."

func startUpdateServer(t *testing.T, p *pebbletest.Server, secret string) *updateServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := &updateServer{t: t, pebble: p, addr: ln.Addr().String()}
	srv := &dns.Server{Listener: ln, Handler: u, TsigSecret: map[string]string{tsigKeyName: secret},
		MsgAcceptFunc: func(dns.Header) dns.MsgAcceptAction { return dns.MsgAccept }} // updates too
	go func() { _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return u
}

func (u *updateServer) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	u.mu.Lock()
	defer u.mu.Unlock()
	if r.IsTsig() == nil || w.TsigStatus() != nil || r.Opcode != dns.OpcodeUpdate {
		u.unsigned++
		m.SetRcode(r, dns.RcodeRefused)
		_ = w.WriteMsg(m)
		return
	}
	for _, rr := range r.Ns {
		txt, ok := rr.(*dns.TXT)
		switch {
		case ok && rr.Header().Class == dns.ClassINET:
			u.pebble.SetTXT(u.t, txt.Hdr.Name, strings.Join(txt.Txt, ""))
			u.added++
		case rr.Header().Class == dns.ClassNONE || rr.Header().Class == dns.ClassANY:
			u.pebble.ClearTXT(u.t, rr.Header().Name)
			u.removed++
		}
	}
	m.SetTsig(tsigKeyName, dns.HmacSHA256, 300, time.Now().Unix())
	_ = w.WriteMsg(m)
}

func (u *updateServer) counts() (added, removed, unsigned int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.added, u.removed, u.unsigned
}

// TestWildcardCertificateThroughDNS01 runs the real binary with
// --dns-provider rfc2136 against Pebble: the apps under the domain share
// one wildcard certificate, validated through DNS only.
func TestWildcardCertificateThroughDNS01(t *testing.T) {
	t.Parallel()
	s := newServer(t, "--domain", "qs.test")
	peb := pebbletest.Start(t, pebbletest.Options{HTTPPort: portOf(s.httpAddr), TLSPort: portOf(s.httpsAddr)})
	secret := base64.StdEncoding.EncodeToString([]byte("a shared TSIG secret for the test"))
	ns := startUpdateServer(t, peb, secret)
	dir := t.TempDir()
	rootFile := filepath.Join(dir, "pebble-api-root.pem")
	require.NoError(t, os.WriteFile(rootFile, peb.APIRootPEM, 0o644))
	settings := filepath.Join(dir, "quayside.env")
	require.NoError(t, os.WriteFile(settings, []byte(strings.Join([]string{
		"QUAYSIDE_DNS_RFC2136_SERVER=" + ns.addr,
		"QUAYSIDE_DNS_RFC2136_KEY_NAME=quayside",
		"QUAYSIDE_DNS_RFC2136_KEY=" + secret, "",
	}, "\n")), 0o600))

	t.Run("a settings file others can read is refused at start", func(t *testing.T) {
		open := filepath.Join(dir, "open.env")
		require.NoError(t, os.WriteFile(open, []byte("QUAYSIDE_DNS_RFC2136_KEY=x\n"), 0o644))
		require.NoError(t, os.Chmod(open, 0o644))
		out, err := execOut(quaysideBin, "server", "--domain", "qs.test", "--dns-provider", "rfc2136", "--dns-settings", open)
		require.Error(t, err)
		assert.NotContains(t, out, "QUAYSIDE_DNS_RFC2136_KEY=x")
	})

	s.flags = append(s.flags, "--acme-ca", peb.DirectoryURL, "--acme-ca-root", rootFile,
		"--dns-provider", "rfc2136", "--dns-settings", settings, "--dns-zone", "qs.test", "--dns-propagation", "0s")
	s.start()
	s.mustCLI("keys", "add", "tester", stdin(pubKey))
	repo := sampleRepo(t, "wild")
	s.mustPush(repo, "one")
	s.waitForCert("one", "one.qs.test")
	orders := peb.Orders()
	s.mustPush(repo, "two")
	s.waitForCert("two", "two.qs.test")
	assert.Equal(t, orders, peb.Orders(), "the second app needed no new order")

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(peb.RootPEM)
	for _, host := range []string{"one.qs.test", "two.qs.test"} {
		conn, err := tls.Dial("tcp", s.httpsAddr, &tls.Config{ServerName: host, RootCAs: pool})
		require.NoError(t, err, host)
		assert.Equal(t, []string{"*.qs.test"}, conn.ConnectionState().PeerCertificates[0].DNSNames, host)
		conn.Close()
	}
	res, err := httpsClient(peb.RootPEM, s.httpsAddr).Get("https://two.qs.test/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	added, removed, unsigned := ns.counts()
	assert.Equal(t, 1, added, "one TXT record for one wildcard")
	assert.Equal(t, 1, removed, "and it was removed afterwards")
	assert.Zero(t, unsigned, "every update was signed")
}
