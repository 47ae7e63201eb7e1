package backup

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestPlain(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	var enc bytes.Buffer
	w, err := Encrypt(&enc, id.Recipient())
	require.NoError(t, err)
	_, err = io.WriteString(w, "archive")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	with := func(ids ...age.Identity) func() ([]age.Identity, error) {
		return func() ([]age.Identity, error) { return ids, nil }
	}

	r, err := Plain(bytes.NewReader(enc.Bytes()), with(id), "identity k")
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "archive", string(got))

	_, err = Plain(bytes.NewReader(enc.Bytes()), with(other), "identity k")
	assert.Equal(t, engine.EUNAUTHORIZED, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "the identity k does not open it: nothing was restored")

	_, err = Plain(bytes.NewReader(enc.Bytes()), func() ([]age.Identity, error) { return nil, errors.New("no key file") }, "x")
	assert.EqualError(t, err, "no key file")

	called := false
	r, err = Plain(strings.NewReader("plain archive"), func() ([]age.Identity, error) { called = true; return nil, nil }, "x")
	require.NoError(t, err)
	got, _ = io.ReadAll(r)
	assert.Equal(t, "plain archive", string(got))
	assert.False(t, called, "no key is asked for a plain backup")
}

func TestReadPassphrase(t *testing.T) {
	for in, want := range map[string]string{
		"a long passphrase\nsecond line": "a long passphrase",
		"windows line\r\n":               "windows line",
		"no newline":                     "no newline",
		" spaces kept \n":                " spaces kept ",
	} {
		got, err := ReadPassphrase(strings.NewReader(in), "f")
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "\nsecond"} {
		_, err := ReadPassphrase(strings.NewReader(in), "pass.txt")
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "pass.txt holds no passphrase")
	}
	long, err := ReadPassphrase(strings.NewReader(strings.Repeat("x", 5000)), "f")
	require.NoError(t, err)
	assert.Len(t, long, 4096, "at most 4 KiB is read")
}
