package engine_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestPreviewName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 255)
	tests := []struct {
		name, app, branch string
		hashed            bool
		want              string // exact, or "" to check the shape only
	}{
		{"plain", "shop", "login", false, "shop--login"},
		{"slash", "shop", "feature/login", false, "shop--feature-login"},
		{"upper and runs", "shop", "Feature__Login//x", false, "shop--feature-login-x"},
		{"hashed on request", "shop", "feature/login", true, ""},
		{"unicode only", "shop", "日本語", false, ""},
		{"unicode mixed", "shop", "fix-ünïcode", false, "shop--fix-n-code"},
		{"255 chars", "shop", long, false, ""},
		{"longest app", "shop", strings.Repeat("x", 40), false, ""},
	}
	label := func(s string) bool {
		return len(s) <= 63 && engine.ValidateHostname(s+".example.com") == nil
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := engine.PreviewName(tt.app, tt.branch, tt.hashed)
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
			}
			assert.True(t, label(got), "%q is not one DNS label", got)
			assert.True(t, strings.HasPrefix(got, tt.app+"--"))
			assert.NotContains(t, strings.TrimPrefix(got, tt.app+"--"), "--")
			assert.Equal(t, got, engine.PreviewName(tt.app, tt.branch, tt.hashed), "stable")
		})
	}
	t.Run("long names are cut and hashed apart", func(t *testing.T) {
		a := engine.PreviewName("shop", long, false)
		b := engine.PreviewName("shop", long+"b", false)
		assert.NotEqual(t, a, b)
		assert.LessOrEqual(t, len(a), len("shop--")+30)
	})
	t.Run("colliding slugs differ once hashed", func(t *testing.T) {
		assert.Equal(t, engine.PreviewName("shop", "feature/login", false), engine.PreviewName("shop", "feature-login", false))
		assert.NotEqual(t, engine.PreviewName("shop", "feature/login", true), engine.PreviewName("shop", "feature-login", true))
	})
	t.Run("a 30-character app still fits one label", func(t *testing.T) {
		app := strings.Repeat("q", engine.MaxAppNameLen)
		got := engine.PreviewName(app, long, false)
		assert.True(t, label(got), got)
	})
}

func TestValidatePreviewBranch(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"feature/login", "日本語", "a", strings.Repeat("b", 255), "fix_1.2"} {
		assert.NoError(t, engine.ValidatePreviewBranch(ok), ok)
	}
	for _, bad := range []string{"", strings.Repeat("b", 256), "a..b", "a//b", "-x", "x/", "x.lock", "x.", "a b", "a\x00b", "a\nb", "a~1", "x^", "a:b", "a@{1}", "\xff"} {
		err := engine.ValidatePreviewBranch(bad)
		require.Error(t, err, "%q", bad)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	}
}

func TestNewAppNamesCannotContainTheSeparator(t *testing.T) {
	t.Parallel()
	err := engine.ValidateNewAppName("shop--x", "example.com")
	require.Error(t, err)
	assert.Contains(t, engine.ErrorMessage(err), "only preview names have")
	assert.NoError(t, engine.ValidateAppName("shop--x", "example.com"), "existing apps keep their names")
	assert.NoError(t, engine.ValidateNewAppName("shop-x", "example.com"))
}
