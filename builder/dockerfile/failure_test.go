package dockerfile

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestBuildFailure(t *testing.T) {
	t.Run("disk full", func(t *testing.T) {
		raw := "failed to register layer: write /usr/lib/x.so: no space left on device"
		err := buildFailure(raw, "Step 3/5 : RUN make")
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "the Dockerfile build failed: the disk of the server is full")
		assert.Equal(t, raw, engine.ErrorDetail(err))
	})
	t.Run("a step killed for memory", func(t *testing.T) {
		err := buildFailure("The command '/bin/sh -c make' returned a non-zero code: 137", "")
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "ran out of memory: the server's --build-memory caps each build")
	})
	t.Run("the user's step fails", func(t *testing.T) {
		err := buildFailure("The command '/bin/sh -c make' returned a non-zero code: 2", "make: *** [all] Error 2")
		assert.Equal(t, engine.EDEPLOYFAILED, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "Dockerfile build failed: The command '/bin/sh -c make' returned a non-zero code: 2\n\nLast lines")
	})
}
