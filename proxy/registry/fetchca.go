package registry

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/quayside/quayside/engine"
)

// CAFingerprint is the hex SHA-256 of the CA certificate (DER): the pin a
// joining node checks the CA it is shown against.
func (r *Registry) CAFingerprint() string {
	sum := sha256.Sum256(r.ca.cert.Raw)
	return hex.EncodeToString(sum[:])
}

// JoinFlags are the flags of `quayside cluster join` that make a node
// trust this registry: "--registry HOST:PORT --registry-ca-sha256 HEX".
func (r *Registry) JoinFlags() string {
	return "--registry " + r.cfg.Host + " --registry-ca-sha256 " + r.CAFingerprint()
}

// FetchCA connects to the registry at hostport and returns (as PEM) the CA
// certificate it presents, once the CA's SHA-256 equals fingerprint and
// the registry's certificate is valid under it for that host. A machine
// in between cannot pass: it would need the CA's key. The fingerprint
// comes from the join command, over a channel the admin trusts.
func FetchCA(ctx context.Context, hostport, fingerprint string) ([]byte, error) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil || host == "" {
		return nil, engine.Errorf(engine.EINVALID, "--registry %q is not a host:port such as 10.0.0.1:5443", hostport)
	}
	want, err := hex.DecodeString(strings.ToLower(fingerprint))
	if err != nil || len(want) != sha256.Size {
		return nil, engine.Errorf(engine.EINVALID, "--registry-ca-sha256 must be the 64 hex digits `quayside cluster join-command` printed")
	}
	var ca *x509.Certificate
	d := tls.Dialer{Config: &tls.Config{
		InsecureSkipVerify: true, // verified below against the pinned CA, not the system roots
		VerifyConnection: func(cs tls.ConnectionState) error {
			var err error
			ca, err = pinnedCA(cs, host, want)
			return err
		},
	}}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, engine.Errorf(engine.EUNAVAILABLE, "fetch the registry's CA from %s: %v (is the manager reachable on that port?)", hostport, err)
	}
	_ = conn.Close()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), nil
}

// pinnedCA finds the certificate with the pinned digest among those the
// server sent and checks the server's certificate against it.
func pinnedCA(cs tls.ConnectionState, host string, want []byte) (*x509.Certificate, error) {
	if len(cs.PeerCertificates) == 0 {
		return nil, errors.New("the registry sent no certificate")
	}
	for _, c := range cs.PeerCertificates {
		sum := sha256.Sum256(c.Raw)
		if !c.IsCA || string(sum[:]) != string(want) {
			continue
		}
		pool := x509.NewCertPool()
		pool.AddCert(c)
		if _, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, DNSName: host}); err != nil {
			return nil, fmt.Errorf("the registry's certificate is not valid for %s under the pinned CA: %w", host, err)
		}
		return c, nil
	}
	return nil, errors.New("the registry does not present the CA the join command names: check --registry and --registry-ca-sha256")
}
