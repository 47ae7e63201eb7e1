package logs

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsLabel(t *testing.T) {
	re := regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	for _, s := range []string{
		"a", "shop", "my-app-2", "a1", strings.Repeat("a", 63), strings.Repeat("a", 64),
		"", "1app", "-a", "a-", "A", "app_x", "app.x", "../x", "a/b", ".x", "x\x00", "é",
	} {
		assert.Equal(t, re.MatchString(s), isLabel(s), "%q", s)
	}
}
