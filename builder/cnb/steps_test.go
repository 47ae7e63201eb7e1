package cnb

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// creatorOutput is what a trusted build's creator prints at info level
// (a warm build of the Python sample), SBOM warnings among it.
const creatorOutput = `===> ANALYZING
Restoring data for SBOM from previous image
===> DETECTING
2 of 5 buildpacks participating
quayside/python   0.1.0
quayside/procfile 0.1.0
===> RESTORING
Restoring metadata for "quayside/python:deps" from app image
Restoring data for "quayside/python:deps" from cache
Restoring data for "quayside/python:pip-cache" from cache
===> BUILDING
---> Python 3.11.2
     requirements unchanged: reusing the installed packages
===> EXPORTING
Reusing layer 'quayside/python:deps'
Adding layer 'quayside/python:python-bin'
Warning: Did not find SBOM lifecycle.sbom.cdx.json in /cnb/lifecycle
Reusing layer 'buildpacksio/lifecycle:launch.sbom'
Added 1/1 app layer(s)
Reusing layer 'buildpacksio/lifecycle:launcher'
Adding label 'io.buildpacks.lifecycle.metadata'
Setting default process type 'web'
Saving qs-x/py:v2...
*** Images (sha256:0123):
      qs-x/py:v2
Reusing cache layer 'quayside/python:deps'
Adding cache layer 'quayside/python:pip-cache'
`

func TestOutputSteps(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	clock := time.Unix(0, 0)
	o.steps.now = func() time.Time { clock = clock.Add(700 * time.Millisecond); return clock }
	_, _ = o.Write([]byte(creatorOutput))
	o.Done()
	assert.Equal(t, []string{
		"-----> Detected quayside/python 0.1.0, quayside/procfile 0.1.0\n",
		"-----> Restored 2 layers from the build cache\n",
		"---> Python 3.11.2\n",
		"     requirements unchanged: reusing the installed packages\n",
		"-----> Built in 0.7 s\n",
		"-----> Exported the image: 1 layer added, 3 reused (0.7 s)\n",
	}, rec.writes)
	assert.Contains(t, o.Tail(30), "Reusing layer 'quayside/python:deps'", "the kept lines are the lifecycle's own, for failure reports")
	assert.NotContains(t, strings.Join(o.Lines(), "\n"), "Did not find SBOM")
}

func TestOutputStepsFailure(t *testing.T) {
	rec := &recorder{}
	o := newOutput(rec)
	_, _ = o.Write([]byte("[detector] ===> DETECTING\n[detector] quayside/go 0.1.0\n[builder] ===> BUILDING\n[builder] go: build failed\n[builder] ERROR: failed to build: exit status 1\n"))
	o.Finish()
	assert.Equal(t, []string{
		"-----> Detected quayside/go 0.1.0\n",
		"[builder] go: build failed\n",
		"[builder] ERROR: failed to build: exit status 1\n",
	}, rec.writes, "an untrusted build's phase prefixes are understood; a failed phase gets no summary")
}

func TestStepsSlow(t *testing.T) {
	assert.Equal(t, "", slow(999*time.Millisecond))
	assert.Equal(t, " (1.5 s)", slow(1500*time.Millisecond))
	assert.Equal(t, "1 layer", plural(1, "layer"))
	assert.Equal(t, "0 layers", plural(0, "layer"))
}
