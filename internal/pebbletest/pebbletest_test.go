package pebbletest

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogBufferCountsMarkerLines(t *testing.T) {
	l := newLogBuffer("Added order", "Issued")
	fmt.Fprint(l, "Pebble Added order \"a\"\nPebble Added ")
	fmt.Fprint(l, "order \"b\"\nsomething else\nIssued certificate")
	assert.Equal(t, 2, l.count("Added order"), "a line split across writes counts once")
	assert.Equal(t, 0, l.count("Issued"), "an unfinished line is not counted yet")
	fmt.Fprint(l, "\n")
	assert.Equal(t, 1, l.count("Issued"))
	assert.Equal(t, 0, l.count("not a marker"))
	assert.Contains(t, l.String(), "something else")
}

func TestTailKeepsLastLines(t *testing.T) {
	assert.Equal(t, "c\nd", tail("a\nb\nc\nd\n", 2))
	assert.Equal(t, "a", tail("a", 5))
}

func TestStartServesDirectoryAndRoot(t *testing.T) {
	s := Start(t, Options{HTTPPort: 1, TLSPort: 2})

	var dir map[string]any
	require.NoError(t, json.Unmarshal(s.get(t, s.DirectoryURL), &dir))
	assert.Contains(t, dir, "newOrder", "the directory names the ACME endpoints")

	block, _ := pem.Decode(s.RootPEM)
	require.NotNil(t, block, "RootPEM is PEM")
	root, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, root.IsCA)
	assert.Contains(t, root.Subject.CommonName, "Pebble")

	assert.Zero(t, s.Orders())
	assert.Zero(t, s.Issued())
	s.SetDNS(t, "elsewhere.test", "127.0.0.2")
	s.ClearDNS(t, "elsewhere.test")
	assert.Contains(t, s.Log(), `Added response for DNS A queries to "elsewhere.test"`)
}

func TestStartTwiceGivesIndependentServers(t *testing.T) {
	a := Start(t, Options{HTTPPort: 1, TLSPort: 2})
	b := Start(t, Options{HTTPPort: 1, TLSPort: 2})
	assert.NotEqual(t, a.DirectoryURL, b.DirectoryURL)
	assert.NotEqual(t, a.RootPEM, b.RootPEM, "every Pebble start makes a new root")
}
