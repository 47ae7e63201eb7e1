package receive

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSSHRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)

	t.Run("unknown key", func(t *testing.T) {
		stranger := writeClientKey(t, filepath.Join(t.TempDir(), "id_stranger"), "stranger", nil)
		stderr, code := h.ssh(stranger, "git-receive-pack 'myapp.git'")
		assert.Equal(t, 255, code)
		assert.Contains(t, stderr, "Permission denied (publickey)", "public keys are the only method offered")
	})

	tests := []struct {
		name, command, want string
	}{
		{"path with dot dot", "git-receive-pack '../x'", `repository path "../x" is not valid`},
		{"path with a slash", "git-receive-pack 'a/b'", `repository path "a/b" is not valid`},
		{"empty path", "git-receive-pack ''", `repository path "" is not valid`},
		{"only .git", "git-receive-pack '/.git'", `repository path "/.git" is not valid`},
		{"hidden name", "git-receive-pack '.init-x.git'", `repository path ".init-x.git" is not valid`},
		{"two paths", "git-receive-pack a b", "takes exactly one repository path"},
		{"clone", "git-upload-pack 'myapp.git'", "Quayside accepts git push only: clone and fetch are not available"},
		{"clone, two words", "git upload-pack 'myapp.git'", "Quayside accepts git push only: clone and fetch are not available"},
		{"archive", "git-upload-archive 'myapp.git'", "Quayside accepts git push only"},
		{"other command", "ls -la", `Quayside accepts git push only: "ls -la" is not a command it runs.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stderr, code := h.ssh(h.keyPath, tt.command)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr, tt.want)
		})
	}

	t.Run("shell", func(t *testing.T) {
		stderr, code := h.ssh(h.keyPath)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "Hi alice! You are authenticated with Quayside")
		assert.Contains(t, stderr, "git push quayside main")
	})

	t.Run("git clone", func(t *testing.T) {
		out, err := h.git("clone", h.remote("myapp"), filepath.Join(t.TempDir(), "clone"))
		require.Error(t, err)
		assert.Contains(t, out, "Quayside accepts git push only")
	})

	assert.Empty(t, h.deployer.requests())
	assert.NoDirExists(t, filepath.Join(filepath.Dir(h.cfg.ReposDir), "x.git"))
}
