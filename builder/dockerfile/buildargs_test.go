package dockerfile

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestBuildArgs(t *testing.T) {
	env := map[string]string{"NPM_TOKEN": "t0k", "DATABASE_URL": "postgres://secret", "EMPTY": ""}
	tests := []struct {
		name     string
		declared map[string]bool
		want     map[string]string
	}{
		{"none declared: no build args", nil, map[string]string{}},
		{"only the declared ones", map[string]bool{"NPM_TOKEN": true, "OTHER": true}, map[string]string{"NPM_TOKEN": "t0k"}},
		{"empty values are passed", map[string]bool{"EMPTY": true}, map[string]string{"EMPTY": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for k, v := range buildArgs(env, tt.declared) {
				require.NotNil(t, v, k)
				got[k] = *v
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckRemoteSourcesArgs(t *testing.T) {
	t.Run("the ARGs declared anywhere are collected", func(t *testing.T) {
		p, err := checkRemoteSources([]byte("ARG BASE=debian:12\nFROM $BASE\nARG NPM_TOKEN\nARG A=1 B\nRUN true\n"), nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]bool{"BASE": true, "NPM_TOKEN": true, "A": true, "B": true}, p.args)
	})
	// Attack: a config variable overrides a meta ARG that names the base
	// image, to pull it from a registry on the server's loopback after the
	// check passed on the default.
	t.Run("a config var overriding a meta ARG is checked as the base", func(t *testing.T) {
		df := []byte("ARG BASE=debian:12\nFROM $BASE\n")
		p, err := checkRemoteSources(df, map[string]string{"BASE": "127.0.0.1:5000/evil"})
		require.NoError(t, err)
		require.Len(t, p.bases, 1)
		assert.Equal(t, "127.0.0.1:5000/evil", p.bases[0].ref)
		err = checkRegistry(context.Background(), p.bases[0])
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	})
}
