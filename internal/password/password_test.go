package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashAndCheck(t *testing.T) {
	h, err := Hash("correct horse")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"))
	assert.NotContains(t, h, "correct horse")
	require.NoError(t, Check(h, "correct horse"))
	assert.ErrorIs(t, Check(h, "wrong horse"), ErrMismatch)
	assert.ErrorIs(t, Check(h, ""), ErrMismatch)

	h2, err := Hash("correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salted")

	_, err = Hash(strings.Repeat("x", MaxLen+1))
	assert.Error(t, err)
}

func TestMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		err := Check(h, "x")
		require.Error(t, err, h)
		assert.NotErrorIs(t, err, ErrMismatch, h)
	}
}
