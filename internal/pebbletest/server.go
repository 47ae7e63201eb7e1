package pebbletest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Options says where Pebble validates challenges.
type Options struct {
	// HTTPPort is the port of the HTTP-01 challenge: the system under test's
	// plain HTTP listener on 127.0.0.1.
	HTTPPort int
	// TLSPort is the port of the TLS-ALPN-01 challenge: the system under
	// test's TLS listener on 127.0.0.1.
	TLSPort int
	// Validity is the lifetime of issued certificates; 0 keeps Pebble's
	// default (90 days). Pebble counts whole seconds.
	Validity time.Duration
}

// Server is a running Pebble with its DNS server.
type Server struct {
	// DirectoryURL is the ACME directory to give the client.
	DirectoryURL string
	// APIRootPEM is the CA of Pebble's own HTTPS certificate: the client
	// must trust it to speak ACME with Pebble.
	APIRootPEM []byte
	// RootPEM is the root Pebble issues certificates under (a new one at
	// every start), read from its management endpoint /roots/0.
	RootPEM []byte

	mgmtURL string
	dnsMgmt string
	client  *http.Client
	log     *logBuffer
}

const (
	orderMarker = "Added order"
	issueMarker = "Issued certificate serial"
)

// Start builds (once) and starts Pebble and pebble-challtestsrv on free
// loopback ports and returns when Pebble's directory answers. Both stop on
// t.Cleanup.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	require.NotZero(t, opts.HTTPPort, "Options.HTTPPort")
	require.NotZero(t, opts.TLSPort, "Options.TLSPort")
	pebbleBin, challBin := binaries(t)
	dir := t.TempDir()
	s := &Server{log: newLogBuffer(orderMarker, issueMarker)}

	dnsAddr := startDNS(t, s, challBin)
	certFile, keyFile, apiRoot := apiCert(t, dir)
	s.APIRootPEM = apiRoot
	s.client = apiClient(apiRoot)

	listen := freeAddr(t)
	mgmt := freeAddr(t)
	config := writeConfig(t, dir, opts, listen, mgmt, certFile, keyFile)
	env := []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0"}
	startProcess(t, s.log, env, pebbleBin, "-config", config, "-dnsserver", dnsAddr)

	s.DirectoryURL = "https://" + listen + "/dir"
	s.mgmtURL = "https://" + mgmt
	waitOK(t, s.client, s.DirectoryURL)
	s.RootPEM = s.get(t, s.mgmtURL+"/roots/0")
	return s
}

// startDNS starts pebble-challtestsrv as a DNS server only and returns the
// address Pebble should query.
func startDNS(t testing.TB, s *Server, bin string) string {
	dns := freeUDPAndTCPAddr(t)
	mgmt := freeAddr(t)
	startProcess(t, s.log, nil, bin,
		"-http01", "", "-https01", "", "-doh", "", "-tlsalpn01", "",
		"-dnsserver", dns, "-management", mgmt,
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	s.dnsMgmt = "http://" + mgmt
	waitOK(t, http.DefaultClient, s.dnsMgmt+"/dns-request-history")
	return dns
}

func writeConfig(t testing.TB, dir string, opts Options, listen, mgmt, certFile, keyFile string) string {
	profile := map[string]any{"description": "pebbletest"}
	if opts.Validity > 0 {
		profile["validityPeriod"] = uint64(opts.Validity / time.Second)
	}
	config := map[string]any{"pebble": map[string]any{
		"listenAddress":           listen,
		"managementListenAddress": mgmt,
		"certificate":             certFile,
		"privateKey":              keyFile,
		"httpPort":                opts.HTTPPort,
		"tlsPort":                 opts.TLSPort,
		"ocspResponderURL":        "",
		"keyAlgorithm":            "ecdsa",
		"retryAfter":              map[string]int{"authz": 0, "order": 0},
		"profiles":                map[string]any{"default": profile},
	}}
	data, err := json.Marshal(config)
	require.NoError(t, err)
	path := filepath.Join(dir, "pebble-config.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// SetDNS makes Pebble's DNS answer A queries for host with ip.
func (s *Server) SetDNS(t testing.TB, host, ip string) {
	t.Helper()
	s.dnsPost(t, "/add-a", map[string]any{"host": host, "addresses": []string{ip}})
}

// ClearDNS makes Pebble's DNS answer host with the default 127.0.0.1 again.
func (s *Server) ClearDNS(t testing.TB, host string) {
	t.Helper()
	s.dnsPost(t, "/clear-a", map[string]any{"host": host})
}

// Orders returns how many orders Pebble has accepted since it started.
func (s *Server) Orders() int { return s.log.count(orderMarker) }

// Issued returns how many certificates Pebble has issued since it started.
func (s *Server) Issued() int { return s.log.count(issueMarker) }

// Log returns everything Pebble and its DNS server have printed.
func (s *Server) Log() string { return s.log.String() }

func (s *Server) dnsPost(t testing.TB, path string, body any) {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(s.dnsMgmt+path, "application/json", bytes.NewReader(data))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "POST %s", path)
}

func (s *Server) get(t testing.TB, url string) []byte {
	t.Helper()
	resp, err := s.client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, body)
	return body
}

func apiClient(rootPEM []byte) *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(rootPEM)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// waitOK polls url until it answers (any status below 500) or 20 s pass.
func waitOK(t testing.TB, c *http.Client, url string) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode < 500
	}, 20*time.Second, 20*time.Millisecond, "waiting for %s", url)
}

// freeAddr returns a 127.0.0.1 address with a TCP port nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// freeUDPAndTCPAddr returns a 127.0.0.1 address whose port is free for both
// UDP and TCP (a DNS server listens on both).
func freeUDPAndTCPAddr(t testing.TB) string {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		ln.Close()
		if err == nil {
			pc.Close()
			return fmt.Sprintf("127.0.0.1:%d", port)
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return ""
}

// SetTXT makes Pebble's DNS answer TXT queries for host (a full name, such
// as _acme-challenge.example.test) with value: what a DNS provider does for
// the DNS-01 challenge.
func (s *Server) SetTXT(t testing.TB, host, value string) {
	t.Helper()
	s.dnsPost(t, "/set-txt", map[string]any{"host": dnsFQDN(host), "value": value})
}

// ClearTXT removes host's TXT answers.
func (s *Server) ClearTXT(t testing.TB, host string) {
	t.Helper()
	s.dnsPost(t, "/clear-txt", map[string]any{"host": dnsFQDN(host)})
}

// dnsFQDN ends name with a dot, as challtestsrv keys its records.
func dnsFQDN(name string) string {
	if len(name) > 0 && name[len(name)-1] == '.' {
		return name
	}
	return name + "."
}
