package install

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/install/upgrade"
	"github.com/quayside/quayside/internal/testenv"
)

// shResult is what a snippet of the installer printed and its exit code.
type shResult struct {
	code           int
	stdout, stderr string
}

// runLib runs script in sh after sourcing install.sh as a library
// (QUAYSIDE_INSTALL_LIB=1), with env added.
func runLib(t *testing.T, env []string, script string) shResult {
	t.Helper()
	abs, err := filepath.Abs("install.sh")
	require.NoError(t, err)
	cmd := exec.Command("sh", "-c", "QUAYSIDE_INSTALL_LIB=1 . "+abs+"\n"+script)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := shResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return r
}

// TestInstallerKeyIsReleaseKey keeps the installer's built-in key equal to
// the binary's.
func TestInstallerKeyIsReleaseKey(t *testing.T) {
	assert.Contains(t, string(Script), "\nRELEASE_KEY="+upgrade.ReleaseKey+"\n")
}

// TestScriptVerifySums runs the installer's verify_sums with openssl on
// this machine: a good signature passes, anything else stops the install.
func TestScriptVerifySums(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		testenv.RequireOrSkip(t, "openssl is not installed (apt-get install openssl)")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, other, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sums := []byte(strings.Repeat("a", 64) + "  quayside-linux-amd64\n")
	testKey := "QUAYSIDE_PUBKEY=" + upgrade.EncodePublicKey(pub)
	cases := []struct {
		name     string
		sums     []byte
		sig      []byte
		env      []string
		wantCode int
		wantErr  string
	}{
		{"good signature", sums, upgrade.Sign(priv, sums), []string{testKey}, 0, ""},
		{"tampered SHA256SUMS", append(sums, "#"...), upgrade.Sign(priv, sums), []string{testKey}, 1, "does not verify with the release key"},
		{"signed by another key", sums, upgrade.Sign(other, sums), []string{testKey}, 1, "does not verify with the release key"},
		{"the built-in key does not accept a test signature", sums, upgrade.Sign(priv, sums), nil, 1, "does not verify with the release key"},
		{"signature not base64", sums, []byte("!!!\n"), []string{testKey}, 1, "not base64"},
		{"empty signature", sums, nil, []string{testKey}, 1, "does not verify"},
		{"bad QUAYSIDE_PUBKEY", sums, upgrade.Sign(priv, sums), []string{"QUAYSIDE_PUBKEY=abc"}, 1, "QUAYSIDE_PUBKEY=abc is not an ed25519 public key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "SHA256SUMS"), tc.sums, 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "SHA256SUMS.sig"), tc.sig, 0o644))
			env := append([]string{"QUAYSIDE_PUBKEY=", "WORK=" + dir}, tc.env...)
			r := runLib(t, env, `verify_sums "$WORK/SHA256SUMS" "$WORK/SHA256SUMS.sig"; echo reached`)
			assert.Equal(t, tc.wantCode, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tc.wantErr)
			if tc.wantCode == 0 {
				assert.Contains(t, r.stdout, "signature of SHA256SUMS verified")
				assert.Contains(t, r.stdout, "reached")
			} else {
				assert.NotContains(t, r.stdout, "reached")
			}
		})
	}
}

// TestScriptRefusesHTTPAndOversize checks release_url refuses http:// and
// fetch refuses a file past the cap.
func TestScriptRefusesHTTPAndOversize(t *testing.T) {
	r := runLib(t, []string{"QUAYSIDE_RELEASE_URL=http://example.com/r"}, `VERSION=''; release_url; echo reached`)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "is not an https:// or file:// URL")
	assert.NotContains(t, r.stdout, "reached")

	r = runLib(t, []string{"QUAYSIDE_RELEASE_URL=https://example.com/r/"}, `VERSION=''; release_url`)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "https://example.com/r\n", r.stdout)

	if _, err := exec.LookPath("curl"); err != nil {
		testenv.RequireOrSkip(t, "curl is not installed (apt-get install curl)")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big"), make([]byte, 2048), 0o644))
	r = runLib(t, []string{"SRC=file://" + dir + "/big", "DST=" + dir + "/out"}, `MAX_BINARY_BYTES=1024; fetch "$SRC" "$DST" || echo refused; echo reached`)
	assert.True(t, strings.Contains(r.stderr, "is larger than 1024 bytes") || strings.Contains(r.stdout, "refused"), "stdout: %s stderr: %s", r.stdout, r.stderr)
	r = runLib(t, []string{"SRC=file://" + dir + "/big", "DST=" + dir + "/out"}, `MAX_BINARY_BYTES=4096; fetch "$SRC" "$DST" && echo fetched`)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "fetched")
}
