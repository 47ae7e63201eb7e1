package docker

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestRunOutputOutcome(t *testing.T) {
	const fatal = "[FATAL tini (7)] exec /bin/migrate failed: No such file or directory\n"
	tests := []struct {
		name    string
		stderr  string
		code    int
		errCode string
		msg     string
		relayed string
	}{
		{"plain exit", "oops\n", 3, "", "", "oops\n"},
		{"command not found", fatal, 127, engine.EINVALID, `cannot run "/bin/migrate": no such file or directory;`, ""},
		{"command not executable", "[FATAL tini (9)] exec /x failed: Permission denied\n", 126, engine.EINVALID,
			`cannot run "/x": permission denied;`, ""},
		{"the app's own line, other code", fatal, 1, "", "", fatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			o := newRunOutput(&buf)
			_, _ = o.stderr([]byte(tt.stderr))
			code, err := o.outcome(tt.code)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.errCode, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tt.msg)
			assert.Equal(t, tt.relayed, buf.String())
		})
	}
}

func TestRunOutputKeepsReadingAfterWriteError(t *testing.T) {
	w := &countingWriter{fail: true}
	o := newRunOutput(w)
	for range 3 {
		n, err := o.stdout([]byte("line\n"))
		require.NoError(t, err)
		assert.Equal(t, 5, n)
	}
	assert.Equal(t, 1, w.writes, "no writes after the first failure")
	assert.Error(t, o.werr)
}

type countingWriter struct {
	fail   bool
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.fail {
		return 0, errors.New("gone")
	}
	return len(p), nil
}

func TestDockerMessage(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code int
	}{
		{"Error response from daemon: unable to find user nosuchuser: no matching entries in passwd file",
			"unable to find user nosuchuser: no matching entries in passwd file", exitStartFailed},
		{`Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/nope": stat /nope: no such file or directory: unknown`,
			`exec: "/nope": stat /nope: no such file or directory`, exitNotFound},
		{`OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "nope": executable file not found in $PATH: unknown`,
			`exec: "nope": executable file not found in $PATH`, exitNotFound},
		{`Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/x": permission denied: unknown`,
			`exec: "/x": permission denied`, exitCannotExec},
	}
	for _, tt := range tests {
		got := dockerMessage(errors.New(tt.in))
		assert.Equal(t, tt.want, got)
		assert.Equal(t, tt.code, startFailureCode(got), "code of %q", got)
	}
}

func TestRunOutputHoldsTiniReportInPieces(t *testing.T) {
	const fatal = "[FATAL tini (7)] exec /nope failed: No such file or directory\n"
	tests := []struct {
		name    string
		pieces  []string
		code    int
		errCode string
		relayed string
	}{
		{"report in pieces", []string{"[FAT", "AL tini (7)] exec /no", "pe failed: No such file or directory", "\n"}, 127, engine.EINVALID, ""},
		{"report, no newline", []string{strings.TrimSuffix(fatal, "\n")}, 127, engine.EINVALID, ""},
		{"looks like it, then not", []string{"[FATAL ", "error]\n", "more\n"}, 1, "", "[FATAL error]\nmore\n"},
		{"another tini line", []string{"[FATAL tini (7)] something else\n"}, 127, "", "[FATAL tini (7)] something else\n"},
		{"a bracket", []string{"[", "1] boom\n"}, 1, "", "[1] boom\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			o := newRunOutput(&buf)
			for _, p := range tt.pieces {
				n, err := o.stderr([]byte(p))
				require.NoError(t, err)
				require.Equal(t, len(p), n)
			}
			code, err := o.outcome(tt.code)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.errCode, engine.ErrorCode(err), "err: %v", err)
			assert.Equal(t, tt.relayed, buf.String())
		})
	}
}

func TestRunOutputPassesOrdinaryStderrAtOnce(t *testing.T) {
	var buf strings.Builder
	o := newRunOutput(&buf)
	_, _ = o.stderr([]byte("warning: x\n"))
	assert.Equal(t, "warning: x\n", buf.String(), "relayed before the run ends")
	_, _ = o.stderr([]byte("[FATAL tini (7)] exec /x failed: Permission denied\n"))
	assert.Contains(t, buf.String(), "tini", "only the start of stderr can be docker-init's report")
}
