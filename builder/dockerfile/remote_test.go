package dockerfile

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
	}
	for name, tc := range refused {
		t.Run(name, func(t *testing.T) {
			err := checkRemoteSources([]byte(tc.dockerfile))
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tc.msg)
			assert.Contains(t, engine.ErrorMessage(err), "RUN curl")
		})
	}
	for name, df := range map[string]string{
		"local ADD and COPY":      "FROM scratch\nADD app.tar.gz /app/\nCOPY http.conf /etc/\nCOPY --from=0 /a /b\n",
		"a URL in RUN or a label": "FROM debian\nRUN curl -fsSL https://example.com/x -o /x\nLABEL url=http://example.com\n",
		"a URL in a comment":      "FROM scratch\n# ADD http://127.0.0.1/ /x\nCOPY a /a\n",
		"ADD with no arguments":   "FROM scratch\nADD\n",
		"empty":                   "",
	} {
		assert.NoError(t, checkRemoteSources([]byte(df)), name)
	}
}
