// Command quayside-sign makes the release key pair and signs a release's
// SHA256SUMS with it. It is the maintainer's tool, not part of the server:
//
//	quayside-sign keygen -key release.key       # writes the private key (0600), prints the public key
//	quayside-sign sign -key release.key SHA256SUMS   # writes SHA256SUMS.sig beside it
//	quayside-sign verify -pub <base64> SHA256SUMS    # checks SHA256SUMS.sig
//
// The key file may also be named by QUAYSIDE_SIGNING_KEY. The private key
// never belongs in the repository; the public key printed by keygen goes
// into install/upgrade.ReleaseKey and install/install.sh's RELEASE_KEY
// (or, for a self-built release, into -ldflags and QUAYSIDE_PUBKEY).
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/quayside/quayside/install/upgrade"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "quayside-sign:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: quayside-sign keygen|sign|verify [flags] [SHA256SUMS]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	keyFile := fs.String("key", os.Getenv("QUAYSIDE_SIGNING_KEY"), "the private key file")
	pub := fs.String("pub", "", "the public key (base64) for verify; default: the built-in release key")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "keygen":
		return keygen(*keyFile)
	case "sign":
		return sign(*keyFile, fs.Arg(0))
	case "verify":
		return verify(*pub, fs.Arg(0))
	}
	return fmt.Errorf("unknown command %q: keygen, sign or verify", args[0])
}

// keygen writes a new private key to file, which must not exist yet.
func keygen(file string) error {
	if file == "" {
		return errors.New("keygen needs -key FILE (where to write the private key)")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(upgrade.EncodePrivateKey(priv)); err != nil {
		f.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	fmt.Println(upgrade.EncodePublicKey(pub))
	return nil
}

// sign writes <sums>.sig, the signature of the file sums.
func sign(keyFile, sums string) error {
	if keyFile == "" || sums == "" {
		return errors.New("sign needs -key FILE (or QUAYSIDE_SIGNING_KEY) and the SHA256SUMS file")
	}
	ks, err := os.ReadFile(keyFile)
	if err != nil {
		return fmt.Errorf("read key file: %w", err)
	}
	priv, err := upgrade.ParsePrivateKey(string(ks))
	if err != nil {
		return err
	}
	data, err := os.ReadFile(sums)
	if err != nil {
		return fmt.Errorf("read sums: %w", err)
	}
	out := filepath.Join(filepath.Dir(sums), upgrade.SigFile)
	if err := os.WriteFile(out, upgrade.Sign(priv, data), 0o644); err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	fmt.Printf("signed %s with key %s: %s\n", sums, upgrade.EncodePublicKey(priv.Public().(ed25519.PublicKey)), out)
	return nil
}

// verify checks <sums>.sig with pub (default: the built-in key).
func verify(pub, sums string) error {
	if pub == "" {
		pub = upgrade.ReleaseKey
	}
	k, err := upgrade.ParsePublicKey(pub)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(sums)
	if err != nil {
		return fmt.Errorf("read sums: %w", err)
	}
	sig, err := os.ReadFile(filepath.Join(filepath.Dir(sums), upgrade.SigFile))
	if err != nil {
		return fmt.Errorf("read signature: %w", err)
	}
	if err := upgrade.Verify(k, data, sig); err != nil {
		return err
	}
	fmt.Println("good signature:", sums)
	return nil
}
