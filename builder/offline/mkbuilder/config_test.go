package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	full := []string{"-config", "b.toml", "-name", "n", "-build-image", "b", "-run-image", "r"}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"all given", full, ""},
		{"missing run image", full[:6], "all required"},
		{"extra argument", append(append([]string{}, full...), "x"), `unexpected argument "x"`},
		{"unknown flag", []string{"-nope"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, options{config: "b.toml", name: "n", buildImage: "b", runImage: "r"}, o)
		})
	}
}

func TestReadConfig(t *testing.T) {
	write := func(t *testing.T, body string) options {
		t.Helper()
		path := filepath.Join(t.TempDir(), "builder.toml")
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		return options{config: path, name: "n", buildImage: "quayside/build:x", runImage: "quayside/run:x"}
	}
	const order = "\n[[order]]\n[[order.group]]\nid = \"quayside/go\"\n"

	t.Run("the shipped builder.toml is offline", func(t *testing.T) {
		o := options{config: "../builder.toml", buildImage: "quayside/build:x", runImage: "quayside/run:x"}
		cfg, err := readConfig(o, io.Discard)
		require.NoError(t, err)
		assert.Equal(t, "quayside/build:x", cfg.Build.Image)
		require.Len(t, cfg.Run.Images, 1)
		assert.Equal(t, "quayside/run:x", cfg.Run.Images[0].Image)
		assert.Len(t, cfg.Buildpacks, 5)
		assert.Len(t, cfg.Order, 5)
	})

	tests := []struct {
		name    string
		body    string
		wantErr string
	}{
		{"lifecycle by version", "[lifecycle]\nversion = \"0.20.11\"\n" + order, "by version"},
		{"no lifecycle", order, "no [lifecycle] uri"},
		{"remote lifecycle", "[lifecycle]\nuri = \"https://example.com/l.tgz\"\n" + order, "not a local file"},
		{"remote buildpack", "[lifecycle]\nuri = \"l.tgz\"\n[[buildpacks]]\nuri = \"docker://x/y\"\n" + order, "not a local folder"},
		{"buildpack image", "[lifecycle]\nuri = \"l.tgz\"\n[[buildpacks]]\nimage = \"x/y\"\n" + order, "not a local folder"},
		{"local file URL", "[lifecycle]\nuri = \"file:///tmp/l.tgz\"\n[[buildpacks]]\nuri = \"bp\"\n" + order, ""},
		{"bad toml", "[lifecycle\n", "read builder config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readConfig(write(t, tt.body), io.Discard)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
