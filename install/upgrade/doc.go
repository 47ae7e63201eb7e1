// Package upgrade verifies Quayside's release files before anything is
// installed from them, installs a verified binary in place (Upgrader), and
// signs them for the maintainer who publishes a release.
//
// A release is a directory of files: quayside-linux-<arch> binaries,
// SHA256SUMS (a sha256sum listing of them) and SHA256SUMS.sig, the ed25519
// signature of SHA256SUMS by the release key, base64 on one line. The
// release key's public half is built into the binary (ReleaseKey) and into
// install/install.sh; its private half is the maintainer's secret and is
// never in the repository: cmd/quayside-sign makes a key pair and signs
// with a key file given by path.
//
// Upgrader is `quayside upgrade` without the CLI: download (https or
// file only), verify, swap in atomically keeping .previous, roll back,
// restart the service. It and install.sh both check, in order:
// the signature of SHA256SUMS against the public key, then the binary's
// SHA-256 against its line in SHA256SUMS. The same key and the same
// formats are used by both; a test keeps the installer's key equal to
// ReleaseKey.
package upgrade
