package ui_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCronAPIRoles: developers add and run jobs; viewers only read them;
// a developer without access to the app and a stranger see nothing.
func TestCronAPIRoles(t *testing.T) {
	r := newRemoteAPI(t)
	add := `{"name": "report", "schedule": "*/15 * * * *", "command": ["bin/report"]}`
	for who, want := range map[string]int{"": http.StatusUnauthorized, "viewer": http.StatusForbidden, "outsider": http.StatusNotFound} {
		assert.Equal(t, want, r.do(t, who, "POST", "/api/v1/apps/shop/cron", add).StatusCode, who)
	}
	require.Equal(t, http.StatusCreated, r.do(t, "developer", "POST", "/api/v1/apps/shop/cron", add).StatusCode)
	assert.Equal(t, http.StatusOK, r.do(t, "viewer", "GET", "/api/v1/apps/shop/cron", "").StatusCode)
	assert.Equal(t, http.StatusOK, r.do(t, "viewer", "GET", "/api/v1/apps/shop/cron-runs?job=report", "").StatusCode)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/apps/shop/cron/report/run", ""},
		{"PATCH", "/api/v1/apps/shop/cron/report", `{"paused": true}`},
		{"DELETE", "/api/v1/apps/shop/cron/report", ""},
	} {
		assert.Equal(t, http.StatusForbidden, r.do(t, "viewer", c.method, c.path, c.body).StatusCode, c.method+" "+c.path)
		assert.Equal(t, http.StatusNotFound, r.do(t, "outsider", c.method, c.path, c.body).StatusCode, c.method+" "+c.path)
	}
	assert.Equal(t, http.StatusNotFound, r.do(t, "outsider", "GET", "/api/v1/apps/shop/cron", "").StatusCode)
	assert.Equal(t, http.StatusNotFound, r.do(t, "outsider", "GET", "/api/v1/apps/shop/cron-runs", "").StatusCode)

	// Bad input is a 400 with a message, not an internal error.
	for _, body := range []string{
		`{"schedule": "* * * * * *", "command": ["x"]}`,
		`{"schedule": "@daily", "command": ["x\u0000y"]}`,
		`{"schedule": "@daily", "command": ["x"], "timeout_seconds": -5}`,
		`{"schedule": "@daily", "command": ["x"], "time_zone": "../../etc/passwd"}`,
		`{"name": "Bad Name", "schedule": "@daily", "command": ["x"]}`,
	} {
		assert.Equal(t, http.StatusBadRequest, r.do(t, "developer", "POST", "/api/v1/apps/shop/cron", body).StatusCode, body)
	}
	assert.Equal(t, http.StatusBadRequest, r.do(t, "viewer", "GET", "/api/v1/apps/shop/cron-runs?limit=100000", "").StatusCode)
	assert.Equal(t, http.StatusNotFound, r.do(t, "developer", "POST", "/api/v1/apps/shop/cron/nope/run", "").StatusCode)
	assert.Equal(t, http.StatusAccepted, r.do(t, "developer", "POST", "/api/v1/apps/shop/cron/report/run", "").StatusCode)
}
