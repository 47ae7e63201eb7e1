package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The local CA's lifetimes: a root that a user trusts lives a year and is
// replaced when it has less than a month left (or lacks the name
// constraints of the server's domain); leaves live a week and are renewed
// at two thirds, in memory only.
const (
	localRootLifetime    = 365 * 24 * time.Hour
	localRootRenewBefore = 30 * 24 * time.Hour
	localLeafLifetime    = 7 * 24 * time.Hour
	// localClockSkew backdates leaves for clients whose clock is behind.
	localClockSkew = 5 * time.Minute
)

// localCA is Quayside's own CA for local mode: a root created once in its
// directory, issuing short-lived leaves kept only in memory.
type localCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	rootPEM []byte
	scope   localScope

	mu     sync.Mutex
	leaves map[string]*localLeaf
}

type localLeaf struct {
	cert    *tls.Certificate
	info    leafInfo
	renewAt time.Time
}

// loadOrCreateLocalCA loads the root from dir, or creates it there: an
// ECDSA P-256 key (0600) and a self-signed certificate valid a year,
// constrained to scope. A root that lacks scope's constraints (made by an
// older Quayside, or for another domain) or expires within
// localRootRenewBefore is moved aside (root.pem.replaced-<time>) and
// replaced; replaced says why, "" when it was not.
func loadOrCreateLocalCA(dir string, scope localScope, now time.Time) (ca *localCA, replaced string, err error) {
	certPath, keyPath := filepath.Join(dir, "root.pem"), filepath.Join(dir, "root-key.pem")
	ca, err = loadLocalCA(certPath, keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", fmt.Errorf("make local CA dir: %w", err)
		}
		// A key without its certificate is left by a crash during
		// creation; nothing was ever signed with it.
		if _, statErr := os.Stat(certPath); errors.Is(statErr, fs.ErrNotExist) {
			_ = os.Remove(keyPath)
		}
		ca, err = createLocalCA(certPath, keyPath, scope, now)
		return ca, "", err
	}
	if err != nil {
		return nil, "", err
	}
	if replaced = outdatedRoot(ca.cert, scope, now); replaced == "" {
		ca.scope = scope
		return ca, "", nil
	}
	stamp := now.UTC().Format("20060102-150405")
	for _, p := range []string{certPath, keyPath} {
		if err := os.Rename(p, p+".replaced-"+stamp); err != nil {
			return nil, "", fmt.Errorf("move the old local CA aside: %w", err)
		}
	}
	ca, err = createLocalCA(certPath, keyPath, scope, now)
	return ca, replaced, err
}

// outdatedRoot says why root must be replaced, "" when it need not.
func outdatedRoot(root *x509.Certificate, scope localScope, now time.Time) string {
	switch {
	case !scope.matches(root):
		return "the root is not constrained to this server's domain"
	case root.NotAfter.Sub(now) < localRootRenewBefore:
		return "the root expires within 30 days"
	}
	return ""
}

func loadLocalCA(certPath, keyPath string) (*localCA, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load local CA %s: %w", certPath, err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("load local CA %s: the key is not ECDSA", keyPath)
	}
	return &localCA{cert: pair.Leaf, key: key, rootPEM: certPEM, leaves: map[string]*localLeaf{}}, nil
}

func createLocalCA(certPath, keyPath string, scope localScope, now time.Time) (*localCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate local CA key: %w", err)
	}
	tmpl, err := rootTemplate(key, now)
	if err != nil {
		return nil, err
	}
	scope.apply(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create local CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode local CA key: %w", err)
	}
	// The key first: a certificate without its key is useless.
	if err := writeNew(keyPath, pemBlock("EC PRIVATE KEY", keyDER), 0o600); err != nil {
		return nil, err
	}
	if err := writeNew(certPath, pemBlock("CERTIFICATE", der), 0o644); err != nil {
		return nil, err
	}
	ca, err := loadLocalCA(certPath, keyPath)
	if err != nil {
		return nil, err
	}
	ca.scope = scope
	return ca, nil
}

// rootTemplate describes the root: "Quayside Local CA <short id>", the id
// being the start of the public key's hash.
func rootTemplate(key *ecdsa.PrivateKey, now time.Time) (*x509.Certificate, error) {
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encode local CA key: %w", err)
	}
	sum := sha256.Sum256(pub)
	return &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Quayside Local CA " + hex.EncodeToString(sum[:4]), Organization: []string{"Quayside"}},
		NotBefore:             now.Add(-localClockSkew),
		NotAfter:              now.Add(localRootLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          sum[:20],
	}, nil
}

// leaf returns host's certificate, issuing a new one when there is none or
// the one in memory reached 2/3 of its lifetime. fresh is true when it
// issued.
func (ca *localCA) leaf(host string, now time.Time) (l *localLeaf, fresh bool, err error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if l := ca.leaves[host]; l != nil && now.Before(l.renewAt) {
		return l, false, nil
	}
	l, err = ca.issue(host, now)
	if err != nil {
		return nil, false, err
	}
	ca.leaves[host] = l
	return l, true, nil
}

// forget drops host's leaf.
func (ca *localCA) forget(host string) {
	ca.mu.Lock()
	delete(ca.leaves, host)
	ca.mu.Unlock()
}

func (ca *localCA) issue(host string, now time.Time) (*localLeaf, error) {
	if !ca.scope.allows(host) {
		return nil, fmt.Errorf("sign certificate for %s: the local CA only signs for names under %s and loopback addresses (its name constraints)",
			host, strings.Join(ca.scope.dns, ", "))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key for %s: %w", host, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    now.Add(-localClockSkew),
		NotAfter:     now.Add(localLeafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate for %s: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate for %s: %w", host, err)
	}
	renewAt := leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) * 2 / 3)
	cert := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return &localLeaf{cert: cert, info: describeLeaf(leaf, renewAt), renewAt: renewAt}, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return n
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writeNew creates path with data and perm; it fails if path exists, so
// two processes never overwrite each other's CA.
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
