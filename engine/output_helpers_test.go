package engine_test

import (
	"bufio"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestShortCommit(t *testing.T) {
	assert.Equal(t, "abcdef0", engine.ShortCommit("abcdef0123456789"))
	assert.Equal(t, "abc", engine.ShortCommit("abc"))
	assert.Equal(t, "", engine.ShortCommit(""))
}

func TestFlushPushesBufferedOutput(t *testing.T) {
	var sb strings.Builder
	w := bufio.NewWriter(&sb)
	_, err := w.WriteString("line\n")
	require.NoError(t, err)
	assert.Empty(t, sb.String(), "bufio holds the line back")
	engine.Flush(w)
	assert.Equal(t, "line\n", sb.String())
	engine.Flush(&sb) // a writer that does not buffer is left alone
	assert.Equal(t, "line\n", sb.String())
}
