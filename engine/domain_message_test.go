package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
)

// TestCustomDomainErrorSaysItOnce checks that a bad host name is named once
// in the error, not once per layer of validation.
func TestCustomDomainErrorSaysItOnce(t *testing.T) {
	for _, host := range []string{"bad_host.example.com", "-x.example.com", "UPPER.example.com", "10.0.0.1"} {
		err := engine.ValidateCustomDomain(host, "example.test")
		msg := engine.ErrorMessage(err)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), host)
		assert.Equal(t, 1, strings.Count(msg, `"`+host+`"`), "the host once in %q", msg)
		assert.Equal(t, msg, engine.ErrorFields(err)["domain"], "the field error is the message")
	}
}
