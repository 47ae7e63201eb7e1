package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVarsRoundTrip(t *testing.T) {
	tests := map[string]map[string]string{
		"empty":       {},
		"one":         {"A": "1"},
		"empty value": {"A": ""},
		"many":        {"DATABASE_URL": "postgres://u:p@h/db", "Z": "last", "_X": "x"},
		"binary":      {"B": "\xff\xfe\x00\x01not utf-8"},
		"long":        {"L": string(make([]byte, 40000))},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := decodeVars(encodeVars(vars))
			require.NoError(t, err)
			assert.Equal(t, vars, got)
			assert.NotNil(t, got)
		})
	}
}

func TestEncodeVarsIsDeterministic(t *testing.T) {
	vars := map[string]string{"B": "2", "A": "1", "C": "3"}
	assert.Equal(t, encodeVars(vars), encodeVars(map[string]string{"C": "3", "A": "1", "B": "2"}))
	assert.Equal(t, []byte("\x03\x01A\x011\x01B\x012\x01C\x013"), encodeVars(vars))
}

func TestDecodeVarsRejectsMalformed(t *testing.T) {
	tests := map[string][]byte{
		"empty":          {},
		"count too big":  {0x05, 0x01, 'A'},
		"truncated key":  {0x01, 0x05, 'A'},
		"missing value":  {0x01, 0x01, 'A'},
		"trailing bytes": {0x01, 0x01, 'A', 0x00, 0x00},
		"duplicate key":  {0x02, 0x01, 'A', 0x00, 0x01, 'A', 0x00},
		"bad varint":     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := decodeVars(b)
			assert.ErrorIs(t, err, errBadVars)
		})
	}
}
