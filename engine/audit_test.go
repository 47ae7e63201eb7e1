package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestAuditFillsFromIdentity(t *testing.T) {
	r := newAccRig(t)
	now := r.clock.Now()
	sshCtx := engine.WithIdentity(t.Context(), engine.Identity{Name: "laptop", Role: engine.RoleAdmin, Via: "ssh", From: "192.0.2.9"})
	require.NoError(t, r.acc.Audit(sshCtx, engine.AuditEntry{Action: "app.deploy", App: "web", Detail: "release 3", Success: true}))
	require.NoError(t, r.acc.Audit(sshCtx, engine.AuditEntry{Actor: "ci", From: "203.0.113.1", Action: "app.scale", App: "web"}))
	require.NoError(t, r.acc.Audit(t.Context(), engine.AuditEntry{Action: "app.destroy", App: "old", Time: now.Add(-time.Hour)}))

	es, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{})
	require.NoError(t, err)
	require.Len(t, es, 3)
	assert.Equal(t, engine.AuditEntry{ID: es[2].ID, Time: now, Actor: "laptop", Action: "app.deploy", App: "web", Detail: "release 3", From: "192.0.2.9", Success: true}, *es[2])
	assert.Equal(t, "ci", es[1].Actor, "a given actor is kept")
	assert.Equal(t, "203.0.113.1", es[1].From)
	assert.Equal(t, "server", es[0].Actor, "no identity: the server itself")
	assert.Equal(t, now.Add(-time.Hour), es[0].Time, "a given time is kept")

	requireCode(t, r.acc.Audit(r.ctx, engine.AuditEntry{App: "web"}), engine.EINVALID, "action")
}

func TestAuditCutsLongFields(t *testing.T) {
	r := newAccRig(t)
	long := strings.Repeat("é", 2000)
	require.NoError(t, r.acc.Audit(r.ctx, engine.AuditEntry{Action: "x", Detail: long}))
	es, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Limit: 1})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.LessOrEqual(t, len(es[0].Detail), 1024)
	assert.True(t, strings.HasPrefix(long, es[0].Detail))
	assert.Equal(t, 512, len([]rune(es[0].Detail)), "cut on a character boundary")
}

func TestListAuditQueries(t *testing.T) {
	r := newAccRig(t)
	r.user("bob@example.com", engine.RoleDeveloper)
	start := r.clock.Now()
	r.clock.Add(time.Hour)
	for range 3 {
		_, _, err := r.acc.SignIn(r.ctx, "bob@example.com", "wrong guess!!", "192.0.2.1")
		require.Error(t, err)
	}
	require.NoError(t, r.acc.Audit(r.ctx, engine.AuditEntry{Action: "app.deploy", App: "web"}))

	byActor, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Actor: "bob@example.com"})
	require.NoError(t, err)
	assert.Len(t, byActor, 4, "three failures and setting the password")
	byApp, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{App: "web"})
	require.NoError(t, err)
	assert.Len(t, byApp, 1)
	since, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Since: start.Add(time.Minute)})
	require.NoError(t, err)
	assert.Len(t, since, 4)
	page, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	next, err := r.acc.ListAudit(r.ctx, engine.AuditQuery{Limit: 2, Before: page[1].ID})
	require.NoError(t, err)
	require.Len(t, next, 2)
	assert.Less(t, next[0].ID, page[1].ID)

	_, err = r.acc.ListAudit(r.ctx, engine.AuditQuery{Limit: -1})
	requireCode(t, err, engine.EINVALID)
}
