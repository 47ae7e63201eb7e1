package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/internal/syncbuf"
)

func TestListenAddress(t *testing.T) {
	tests := []struct {
		name, flag, port, want, wantErr string
	}{
		{name: "flag wins", flag: "127.0.0.1:9000", port: "5000", want: "127.0.0.1:9000"},
		{name: "PORT", port: "5000", want: ":5000"},
		{name: "default", want: ":8080"},
		{name: "not a number", port: "http", wantErr: `PORT="http" is not a port number`},
		{name: "zero", port: "0", wantErr: "not a port number"},
		{name: "too big", port: "70000", wantErr: "not a port number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listenAddress(tt.flag, tt.port)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "index.html"), []byte("hello static"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-root", root, "-addr", "127.0.0.1:0"}, func(string) string { return "" }, &out)
	}()

	addrRE := regexp.MustCompile(`on (127\.0\.0\.1:\d+)`)
	var addr string
	require.Eventually(t, func() bool {
		m := addrRE.FindStringSubmatch(out.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond, "server did not report its address: %s", out.String())

	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "hello static", string(body))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(shutdownGrace + time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunErrors(t *testing.T) {
	env := func(port string) func(string) string {
		return func(k string) string {
			if k == "PORT" {
				return port
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		args    []string
		port    string
		wantErr string
	}{
		{"bad PORT", []string{"-root", t.TempDir()}, "abc", "not a port number"},
		{"missing root", []string{"-root", filepath.Join(t.TempDir(), "nope")}, "", "open site root"},
		{"unknown flag", []string{"-listing"}, "", "usage: quayside-static"},
		{"bad address", []string{"-root", t.TempDir(), "-addr", "127.0.0.1:notaport"}, "", "listen on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, env(tt.port), io.Discard)
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}
