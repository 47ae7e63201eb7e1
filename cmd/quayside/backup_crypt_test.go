package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store/backup"
)

// TestBackupKeyFlags checks that the flags reach backup.Keys, whose tests
// cover encrypting and opening with them.
func TestBackupKeyFlags(t *testing.T) {
	k := (&backupCmd{Recipient: []string{"age1x"}, PassphraseFile: "pass"}).keys()
	assert.Equal(t, []string{"age1x"}, k.Recipients)
	assert.Equal(t, "pass", k.PassphraseFile)
	assert.Equal(t, os.Stdin, k.Stdin)
	assert.NotNil(t, k.Ask, "the terminal is asked last")

	k = (&restoreCmd{File: "-", Identity: "id.key", PassphraseFile: "-"}).keys()
	assert.Equal(t, "id.key", k.Identity)
	assert.Equal(t, "-", k.PassphraseFile)
	assert.True(t, k.ArchiveOnStdin)
	assert.NotNil(t, k.Ask)
	assert.False(t, (&restoreCmd{File: "b.tar.gz"}).keys().ArchiveOnStdin)

	_, err := (&backupCmd{Recipient: []string{"age1nothing"}}).backupRecipients()
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	rs, err := (&backupCmd{}).backupRecipients()
	require.NoError(t, err)
	assert.Empty(t, rs, "no encryption unless asked for")
}

func TestWrongBackupKeyExitsUnauthorized(t *testing.T) {
	err := engine.Errorf(engine.EUNAUTHORIZED, "the backup is encrypted and the passphrase does not open it: nothing was restored")
	assert.Equal(t, 5, exitCode(err))
}

func TestRestoreLimitsFlags(t *testing.T) {
	l, err := (&restoreCmd{MaxSize: "2GiB", MaxMembers: 10}).limits()
	require.NoError(t, err)
	assert.Equal(t, backup.Limits{MaxTotal: 2 << 30, MaxMember: 2 << 30, MaxMembers: 10}, l)
	_, err = (&restoreCmd{MaxSize: "lots", MaxMembers: 10}).limits()
	assert.Error(t, err)
	_, err = (&restoreCmd{MaxSize: "1GiB", MaxMembers: 0}).limits()
	assert.Error(t, err)
}
