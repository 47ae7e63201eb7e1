package dockerfile

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCheckRemoteSources(t *testing.T) {
	refused := map[string]struct {
		dockerfile string
		msg        string
	}{
		"a URL": {"FROM scratch\nADD http://127.0.0.1:2375/containers/json /x\n",
			"Dockerfile line 2: ADD http://127.0.0.1:2375/containers/json is refused: the Docker daemon would fetch the URL itself"},
		"https, lower case, flags": {"FROM scratch\nadd --chown=1:1  https://169.254.169.254/latest/meta-data/ /x\n",
			"line 2: ADD https://169.254.169.254/latest/meta-data/ is refused"},
		"JSON form": {"FROM scratch\nADD [\"a.txt\", \"http://localhost:9090/metrics\", \"/d/\"]\n",
			"ADD http://localhost:9090/metrics is refused"},
		"a continuation": {"FROM scratch\nRUN true\nADD \\\n  # a comment inside\n  http://127.0.0.1/ \\\n  /x\n",
			"line 3: ADD http://127.0.0.1/ is refused"},
		"the backtick escape": {"# escape=`\nFROM scratch\nADD `\n http://127.0.0.1/ /x\n", "line 3: ADD http://127.0.0.1/ is refused"},
		"ONBUILD":             {"FROM scratch\nONBUILD ADD http://127.0.0.1/ /x\n", "line 2: ADD http://127.0.0.1/ is refused"},
		"a variable":          {"FROM scratch\nARG U=http://127.0.0.1/\nADD $U /x\n", "line 3: ADD $U is refused: the variable could name a URL"},
		"braces":              {"FROM scratch\nADD ${U} /x\n", "ADD ${U} is refused"},
		"a tab":               {"FROM scratch\nADD\thttp://127.0.0.1/ /x\n", "ADD http://127.0.0.1/ is refused"},
		"a git URL":           {"FROM scratch\nADD git@example.com:a/b.git /x\n", "ADD git@example.com:a/b.git is refused"},
		"quotes":              {"FROM scratch\nADD http:\"//127.0.0.1:2375\"/version /x\n", "line 2: ADD http:\"//127.0.0.1:2375\"/version is refused: the Docker daemon would fetch"},
		"single quotes":       {"FROM scratch\nADD 'http://127.0.0.1:2375/version' /x\n", "is refused: the Docker daemon would fetch"},
		"backslashes":         {"FROM scratch\nADD http:\\/\\/127.0.0.1:2375/version /x\n", "is refused: the Docker daemon would fetch"},
		"JSON backslashes":    {"FROM scratch\nADD [\"http:\\\\/\\\\/127.0.0.1:2375/version\", \"/x\"]\n", "is refused: the Docker daemon would fetch"},
		"an unknown directive before escape": {"# foo=bar\n# escape=`\nFROM scratch\nADD http:\\/\\/127.0.0.1:2375/version /x\n",
			"line 4: ADD http:\\/\\/127.0.0.1:2375/version is refused"},
		"a byte order mark before escape": {"\ufeff# escape=`\nFROM scratch\nADD `\n http://127.0.0.1/ /x\n",
			"line 3: ADD http://127.0.0.1/ is refused"},
		"ONBUILD with quotes":      {"FROM scratch\nONBUILD ADD http:\"//127.0.0.1\"/ /x\n", "line 2: ADD http:\"//127.0.0.1\"/ is refused"},
		"ONBUILD JSON":             {"FROM scratch\nONBUILD ADD [\"http://127.0.0.1/\", \"/x\"]\n", "line 2: ADD http://127.0.0.1/ is refused"},
		"upper case scheme":        {"FROM scratch\nADD HTTP://127.0.0.1/ /x\n", "is refused: the Docker daemon would fetch"},
		"an escaped variable sign": {"FROM scratch\nADD h${X:-ttp://127.0.0.1/} /x\n", "the variable could name a URL"},
		"a heredoc before it":      {"FROM scratch\nRUN <<EOF\nADD ok /ok\nEOF\nADD http://127.0.0.1/ /x\n", "line 5: ADD http://127.0.0.1/ is refused"},
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			_, err := checkRemoteSources([]byte(tc.dockerfile), nil)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tc.msg)
			assert.Contains(t, engine.ErrorMessage(err), "RUN curl")
		})
	}
	for name, df := range map[string]string{
		"local ADD and COPY":      "FROM scratch\nADD app.tar.gz /app/\nCOPY http.conf /etc/\nCOPY --from=0 /a /b\n",
		"a URL in RUN or a label": "FROM debian\nRUN curl -fsSL https://example.com/x -o /x\nLABEL url=http://example.com\n",
		"a URL in a comment":      "FROM scratch\n# ADD http://127.0.0.1/ /x\nCOPY a /a\n",
		"ARG and ENV used in RUN": "FROM debian\nARG V=1\nENV U=http://example.com/$V\nRUN curl -fsSL $U -o /x\n",
		"a heredoc RUN":           "FROM debian\nRUN <<EOF\ncurl http://example.com/\nADD http://127.0.0.1/ /x\nEOF\n",
		"a heredoc COPY":          "FROM debian\nCOPY <<EOF /etc/x\nhttp://127.0.0.1/\nEOF\n",
		"multi-stage":             "FROM golang:1.24 AS build\nADD . /src\nRUN go build\nFROM debian\nCOPY --from=build /src/app /app\n",
		"quotes in a local path":  "FROM scratch\nADD \"file.txt\" 'b'\\.txt /x/\n",
	} {
		_, err := checkRemoteSources([]byte(df), nil)
		assert.NoError(t, err, name)
	}
	for name, df := range map[string]string{
		"ADD with no arguments": "FROM scratch\nADD\n",
		"an open quote":         "FROM scratch\nADD \"http://127.0.0.1/ /x\n",
		"empty":                 "",
	} {
		_, err := checkRemoteSources([]byte(df), nil)
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err), name)
		assert.Contains(t, engine.ErrorMessage(err), "Dockerfile build failed: the Dockerfile does not parse", name)
	}
}

func TestCheckRemoteSourcesBases(t *testing.T) {
	p, err := checkRemoteSources([]byte("ARG BASE=debian:12\nFROM $BASE AS build\nFROM build\nFROM scratch\nFROM 127.0.0.1:5000/x/y:z\n"+
		"COPY --from=build /a /a\nCOPY --from=0 /a /a\nCOPY --from=localhost:5000/i /a /a\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, []base{{line: 2, ref: "debian:12"}, {line: 5, ref: "127.0.0.1:5000/x/y:z"},
		{line: 8, ref: "localhost:5000/i", copyFrom: true}}, p.bases)
}

func TestCheckRegistry(t *testing.T) {
	ctx := context.Background()
	for _, ref := range []string{"127.0.0.1:2375/x/y:z", "localhost:5000/a", "[::1]:5000/a", "169.254.169.254/a/b", "10.0.0.1/a", "LOCALHOST/a"} {
		err := checkRegistry(ctx, base{line: 3, ref: ref})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), ref)
		assert.Contains(t, engine.ErrorMessage(err), "Dockerfile line 3: FROM "+ref+" is refused", ref)
	}
	// This machine's name resolves to its own (or a loopback) address.
	host, err := os.Hostname()
	require.NoError(t, err)
	err = checkRegistry(ctx, base{line: 3, ref: strings.ToLower(host) + ":5000/a"})
	assert.Contains(t, engine.ErrorMessage(err), "is refused: the Docker daemon would contact the registry at "+strings.ToLower(host))
	err = checkRegistry(ctx, base{line: 2, ref: "127.0.0.1:5000/a", copyFrom: true})
	assert.Contains(t, engine.ErrorMessage(err), "Dockerfile line 2: COPY --from=127.0.0.1:5000/a is refused")
	for _, ref := range []string{"debian:12", "ghcr.io/a/b:1", "docker.io/library/alpine", "registry.invalid:5000/a"} {
		assert.NoError(t, checkRegistry(ctx, base{line: 1, ref: ref}), ref)
	}
}

func TestCheckTrigger(t *testing.T) {
	for _, trig := range []string{"ADD http://127.0.0.1:2375/version /x", `ADD http:"//127.0.0.1"/ /x`, `ADD ["http://127.0.0.1/", "/x"]`, "ADD $U /x"} {
		err := checkTrigger(4, trig)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), trig)
		assert.Contains(t, engine.ErrorMessage(err), "Dockerfile line 4: ADD", trig)
	}
	for _, trig := range []string{"ADD . /app", "RUN curl http://example.com/", "COPY a /b"} {
		assert.NoError(t, checkTrigger(4, trig), trig)
	}
}

func TestArchivedDockerfile(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{"a.txt": "a", "Dockerfile": "FROM scratch\n"} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	df, err := archivedDockerfile(ctx, tarSource(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, "FROM scratch\n", string(df))

	buf.Reset()
	tw = tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "Dockerfile", Linkname: "/etc/x", Typeflag: tar.TypeSymlink}))
	require.NoError(t, tw.Close())
	_, err = archivedDockerfile(ctx, tarSource(buf.Bytes()))
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))

	_, err = archivedDockerfile(ctx, tarSource(nil))
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

// tarSource is a Source whose archive is fixed bytes.
type tarSource []byte

func (s tarSource) Archive(ctx context.Context, w io.Writer) error {
	_, err := w.Write(s)
	if len(s) == 0 {
		return tar.NewWriter(w).Close()
	}
	return err
}

func (s tarSource) ReadFile(ctx context.Context, path string) ([]byte, error) {
	return nil, engine.Errorf(engine.ENOTFOUND, "not read")
}
