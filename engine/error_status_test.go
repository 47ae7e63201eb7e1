package engine_test

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

func TestHTTPStatusCoversEveryCode(t *testing.T) {
	for _, code := range []string{engine.ECONFLICT, engine.EINTERNAL, engine.EINVALID, engine.ENOTFOUND,
		engine.EUNAUTHORIZED, engine.EFORBIDDEN, engine.EUNAVAILABLE, engine.EDEPLOYFAILED, engine.ETOOLARGE, engine.ENOTIMPLEMENTED, engine.ETOOMANY} {
		s := engine.HTTPStatus(engine.Errorf(code, "x"))
		assert.True(t, s >= 400 && s < 600, code)
	}
	assert.Equal(t, 500, engine.HTTPStatus(io.EOF))
	assert.Equal(t, 500, engine.HTTPStatus(engine.Errorf("no_such_code", "x")))
	assert.Equal(t, 200, engine.HTTPStatus(nil))
	assert.Equal(t, 429, engine.HTTPStatus(engine.Errorf(engine.ETOOMANY, "x")), "too many requests")
	assert.Equal(t, 403, engine.HTTPStatus(engine.Errorf(engine.EFORBIDDEN, "x")))
}
