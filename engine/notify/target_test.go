package notify_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/engine/notify"
)

func TestCheckTarget(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", notify.MaxURLLen)
	tests := []struct {
		name   string
		target notify.Target
		field  string // "" means valid
		says   string
	}{
		{"https", notify.Target{URL: "https://hooks.slack.com/services/T0/B0/xyz", Format: "slack"}, "", ""},
		{"http loopback with port", notify.Target{URL: "http://127.0.0.1:8080/hook", Format: "json"}, "", ""},
		{"http elsewhere", notify.Target{URL: "http://alerts.internal/hook", Format: "json"}, "", ""},
		{"ipv6 host", notify.Target{URL: "https://[::1]:9000/x", Format: "json"}, "", ""},
		{"upper-case scheme", notify.Target{URL: "HTTPS://example.com/x", Format: "json"}, "", ""},
		{"app target", notify.Target{URL: "https://example.com/x", Format: "json", App: "myapp"}, "", ""},
		{"exactly the limit", notify.Target{URL: long[:notify.MaxURLLen], Format: "json"}, "", ""},
		{"empty", notify.Target{Format: "json"}, "url", "empty"},
		{"too long", notify.Target{URL: long, Format: "json"}, "url", "limit is 2048"},
		{"no scheme", notify.Target{URL: "hooks.slack.com/services/x", Format: "json"}, "url", "no scheme"},
		{"ftp", notify.Target{URL: "ftp://example.com/x", Format: "json"}, "url", "https://"},
		{"file", notify.Target{URL: "file:///etc/passwd", Format: "json"}, "url", "https://"},
		{"javascript", notify.Target{URL: "javascript:alert(1)", Format: "json"}, "url", "https://"},
		{"no host", notify.Target{URL: "https:///hooks/secret", Format: "json"}, "url", "no host"},
		{"opaque", notify.Target{URL: "https:example.com", Format: "json"}, "url", "no host"},
		{"port only", notify.Target{URL: "http://:8080/x", Format: "json"}, "url", "no host"},
		{"empty port", notify.Target{URL: "http://example.com:/x", Format: "json"}, "url", "empty port"},
		{"bad port", notify.Target{URL: "http://example.com:port/x", Format: "json"}, "url", "not a valid URL"},
		{"userinfo", notify.Target{URL: "https://bob:s3cret@example.com/x", Format: "json"}, "url", "user name or password"},
		{"user only", notify.Target{URL: "https://bob@example.com/x", Format: "json"}, "url", "user name or password"},
		{"space", notify.Target{URL: "https://exa mple.com/x", Format: "json"}, "url", "not a valid URL"},
		{"control character", notify.Target{URL: "https://example.com/\n", Format: "json"}, "url", "not a valid URL"},
		{"no format", notify.Target{URL: "https://example.com/x"}, "format", `"json"`},
		{"unknown format", notify.Target{URL: "https://example.com/x", Format: "teams"}, "format", `"teams" is not known`},
		{"bad app", notify.Target{URL: "https://example.com/x", Format: "json", App: "My_App"}, "app", "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := notify.CheckTarget(tt.target)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorFields(err), tt.field)
			assert.Contains(t, err.Error(), tt.says)
			if tt.field == "url" && len(tt.target.URL) > 12 {
				assert.NotContains(t, err.Error(), tt.target.URL[8:], "the message must not repeat the URL")
			}
		})
	}
}

func TestTargetHost(t *testing.T) {
	assert.Equal(t, "hooks.slack.com", notify.Target{URL: "https://hooks.slack.com/services/T0/B0/secret"}.Host())
	assert.Equal(t, "127.0.0.1:9000", notify.Target{URL: "http://127.0.0.1:9000/x?token=secret"}.Host())
	assert.Equal(t, "(invalid URL)", notify.Target{URL: "https://exa mple.com"}.Host())
	assert.Equal(t, "(invalid URL)", notify.Target{URL: ""}.Host())
}
