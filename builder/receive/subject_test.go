package receive

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSourceSubject checks that a source reads its commit's subject, and
// says nothing (rather than failing the push) when it cannot.
func TestSourceSubject(t *testing.T) {
	t.Parallel()
	gitDir, commit := sourceRepo(t)
	src, err := NewSource(gitDir, commit, nil)
	require.NoError(t, err)
	assert.Equal(t, "one", src.Subject(t.Context()))

	missing, err := NewSource(gitDir, strings.Repeat("1", 40), nil)
	require.NoError(t, err)
	assert.Empty(t, missing.Subject(t.Context()))
}

func TestLimitedWriterKeepsTheStart(t *testing.T) {
	var b strings.Builder
	w := &limitedWriter{w: &b, n: 5}
	for _, s := range []string{"abc", "defgh", "ijk"} {
		n, err := w.Write([]byte(s))
		require.NoError(t, err)
		assert.Equal(t, len(s), n, "it takes everything")
	}
	assert.Equal(t, "abcde", b.String())
}
