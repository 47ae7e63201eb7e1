package install

import (
	"crypto/ed25519"
	"crypto/rand"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/install/upgrade"
)

// badCase is an install the script must refuse before it changes anything.
type badCase struct {
	name    string
	setup   func(b *box) // prepares the box
	user    string
	env     []string
	args    []string
	wantErr string // in standard error
}

func badCases(bin string) []badCase {
	domain := []string{"--domain", "example.com"}
	zeros := strings.Repeat("0", 64)
	return []badCase{
		{name: "not root", user: "nobody", env: []string{localBin}, args: domain,
			wantErr: "this installer needs root"},
		{name: "unsupported CPU architecture",
			setup: func(b *box) {
				b.cp(writeExecutable(b.t, "uname", "#!/bin/sh\n[ \"$1\" = -m ] && echo riscv64 && exit 0\nexec /bin/uname \"$@\"\n"), "/tmp/fake/uname")
			},
			env: []string{localBin, "PATH=/tmp/fake:" + defaultPath}, args: domain,
			wantErr: "CPU architecture riscv64 is not supported"},
		{name: "unsupported OS",
			setup: func(b *box) {
				b.mustSh(`rm /etc/os-release && printf 'ID=fedora\nPRETTY_NAME="Fedora Linux 40"\n' > /etc/os-release`)
			},
			env: []string{localBin}, args: domain,
			wantErr: "Fedora Linux 40 is not supported by this installer"},
		{name: "port taken", setup: takePort2222, env: []string{localBin}, args: domain,
			wantErr: "ports in use: 2222 (git-daemon)"},
		{name: "port taken, seen without ss",
			setup: func(b *box) {
				b.mustSh("mv /usr/bin/ss /usr/bin/ss.off || mv /bin/ss /bin/ss.off")
				takePort2222(b)
			},
			env: []string{localBin}, args: domain,
			wantErr: "ports in use: 2222 (another program)"},
		{name: "checksum mismatch, local binary", env: []string{localBin, "QUAYSIDE_SHA256=" + zeros}, args: domain,
			wantErr: "the binary's SHA-256 does not match, so it was not installed"},
		{name: "checksum mismatch, SHA256SUMS of the release",
			setup: func(b *box) { release(b, bin, zeros+"  quayside-linux-"+runtime.GOARCH+"\n") },
			env:   []string{"QUAYSIDE_RELEASE_URL=file:///srv/release", testPubkey}, args: domain,
			wantErr: "the binary's SHA-256 does not match, so it was not installed"},
		{name: "release without this architecture",
			setup: func(b *box) { release(b, bin, zeros+"  quayside-linux-s390x\n") },
			env:   []string{"QUAYSIDE_RELEASE_URL=file:///srv/release", testPubkey}, args: domain,
			wantErr: "SHA256SUMS has no line for quayside-linux-" + runtime.GOARCH},
		{name: "release not found", env: []string{"QUAYSIDE_RELEASE_URL=file:///srv/nothing", testPubkey}, args: domain,
			wantErr: "could not download file:///srv/nothing/SHA256SUMS"},
		{name: "release signed by another key",
			setup: func(b *box) {
				sums := sha256File(b.t, bin) + "  quayside-linux-" + runtime.GOARCH + "\n"
				_, other, _ := ed25519.GenerateKey(rand.Reader)
				releaseSigned(b, bin, sums, upgrade.Sign(other, []byte(sums)))
			},
			env: []string{"QUAYSIDE_RELEASE_URL=file:///srv/release", testPubkey}, args: domain,
			wantErr: "the signature of SHA256SUMS does not verify with the release key"},
		{name: "release signed by the test key, checked with the built-in key",
			setup: func(b *box) { release(b, bin, sha256File(b.t, bin)+"  quayside-linux-"+runtime.GOARCH+"\n") },
			env:   []string{"QUAYSIDE_RELEASE_URL=file:///srv/release"}, args: domain,
			wantErr: "the signature of SHA256SUMS does not verify with the release key"},
		{name: "release over plain http", env: []string{"QUAYSIDE_RELEASE_URL=http://127.0.0.1:9/r"}, args: domain,
			wantErr: "is not an https:// or file:// URL"},
		{name: "binary that does not run",
			setup: func(b *box) { b.mustSh("echo 'not a program' > /tmp/text") },
			env:   []string{"QUAYSIDE_BINARY=/tmp/text"}, args: domain,
			wantErr: "the binary does not run on this machine"},
		{name: "local binary missing", env: []string{"QUAYSIDE_BINARY=/tmp/missing"}, args: domain,
			wantErr: "QUAYSIDE_BINARY=/tmp/missing is not a file"},
		{name: "URL as domain", env: []string{localBin}, args: []string{"--domain", "https://example.com/"},
			wantErr: "--domain https://example.com/ is not a domain name"},
		{name: "IP address as domain", env: []string{localBin}, args: []string{"--domain", "203.0.113.7"},
			wantErr: "--domain 203.0.113.7 is not a domain name"},
		{name: "bad e-mail", env: []string{localBin}, args: []string{"--domain", "example.com", "--email", "ops"},
			wantErr: "--email ops is not an e-mail address"},
		{name: "no domain and no public IP address", env: []string{localBin},
			wantErr: "found no public IP address for a <ip>.sslip.io name: give a domain with --domain"},
	}
}

func testBadInput(t *testing.T, image, bin string) {
	for _, tc := range badCases(bin) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBox(t, image, boxOptions{})
			b.cp(bin, "/tmp/quayside")
			if tc.setup != nil {
				tc.setup(b)
			}
			r := b.exec(execOptions{user: tc.user, env: tc.env}, append([]string{"sh", "/tmp/install.sh"}, tc.args...)...)
			assert.Equal(t, 1, r.code, r.String())
			assert.Contains(t, r.stderr, tc.wantErr)
			assert.Empty(t, leftovers(b), "a refused install changes nothing")
		})
	}
}

// takePort2222 starts git daemon on port 2222 in the box, as something else
// that holds one of Quayside's ports.
func takePort2222(b *box) {
	b.mustSh("mkdir -p /srv/git")
	b.exec(execOptions{}, "sh", "-c", "git daemon --reuseaddr --port=2222 --base-path=/srv/git /srv/git >/dev/null 2>&1 &")
	waitFor(b.t, 10*time.Second, "git daemon listens on 2222", func() bool {
		return b.sh("grep -q ':08AE [0-9A-F]*:0000 0A' /proc/net/tcp /proc/net/tcp6").code == 0
	})
}
