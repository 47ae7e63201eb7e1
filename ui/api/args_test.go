package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestParseConfigPairs(t *testing.T) {
	got, err := ParseConfigPairs([]string{"A=1", "B=", "URL=x=y"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"A": "1", "B": "", "URL": "x=y"}, got)
	for _, bad := range [][]string{{"A"}, {"A=1", "A=2"}} {
		_, err := ParseConfigPairs(bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%v", bad)
	}
	_, err = ParseConfigPairs([]string{"A=1", "A=2"})
	assert.Equal(t, "A is given twice", engine.ErrorMessage(err))
}

func TestParseScale(t *testing.T) {
	got, err := ParseScale([]string{"web=2", "worker=0"})
	require.NoError(t, err)
	assert.Equal(t, ScaleChange{"web": 2, "worker": 0}, got)
	for _, bad := range [][]string{{"web"}, {"=2"}, {"web=two"}, {"web=1", "web=2"}} {
		_, err := ParseScale(bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%v", bad)
	}
	_, err = ParseScale([]string{"web=two"})
	assert.Equal(t, `"web=two" is not TYPE=N: write, for example, web=2`, engine.ErrorMessage(err))
}

func TestParseLimits(t *testing.T) {
	got, err := ParseLimits([]string{"memory=512M", "cpus=default"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"memory": "512M", "cpus": "default"}, got)
	for _, bad := range [][]string{nil, {"memory"}, {"=1"}, {"memory="}, {"pids=1", "pids=2"}} {
		_, err := ParseLimits(bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%v", bad)
	}
	_, err = ParseLimits(nil)
	assert.Contains(t, engine.ErrorMessage(err), "give the limits to set")
}
