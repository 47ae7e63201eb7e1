package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestAddAndListAudit(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	e := &engine.AuditEntry{Actor: "bob@example.com", Action: "config.set", App: "web", Target: "DATABASE_URL", Detail: "set 1 key", From: "192.0.2.1", Success: true}
	require.NoError(t, db.AddAudit(ctx, e))
	assert.NotZero(t, e.ID)
	assert.Equal(t, clk.t, e.Time)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	failed := &engine.AuditEntry{Time: at, Actor: "eve@example.com", Action: "signin.failed", Detail: "wrong password"}
	require.NoError(t, db.AddAudit(ctx, failed))
	assert.Equal(t, at, failed.Time, "a given time is kept")

	es, err := db.ListAudit(ctx, engine.AuditQuery{})
	require.NoError(t, err)
	assert.Equal(t, []*engine.AuditEntry{failed, e}, es, "newest first")
}

func TestAuditIsAppendOnly(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "web")
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	e := &engine.AuditEntry{Actor: "bob@example.com", Action: "app.create", App: "web", Success: true}
	require.NoError(t, db.AddAudit(ctx, e))

	for _, q := range []string{
		`UPDATE audit SET actor = 'mallory'`,
		`UPDATE audit SET success = 0 WHERE id = 1`,
		`DELETE FROM audit`,
		`DELETE FROM audit WHERE id = 1`,
		`INSERT OR REPLACE INTO audit (id, at, actor, action, app, target, detail, from_addr, success) VALUES (1, 'x', 'm', 'a', '', '', '', '', 1)`,
		`REPLACE INTO audit (id, at, actor, action, app, target, detail, from_addr, success) VALUES (1, 'x', 'm', 'a', '', '', '', '', 1)`,
		`INSERT INTO audit (id, at, actor, action, app, target, detail, from_addr, success) VALUES (1, 'x', 'm', 'a', '', '', '', '', 1)
			ON CONFLICT (id) DO UPDATE SET actor = 'm'`,
	} {
		t.Run(q, func(t *testing.T) {
			_, err := db.sql.ExecContext(ctx, q)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "append-only")
		})
	}
	require.NoError(t, db.DeleteApp(ctx, "web"))
	require.NoError(t, db.DeleteUser(ctx, "bob@example.com"))
	es, err := db.ListAudit(ctx, engine.AuditQuery{})
	require.NoError(t, err)
	assert.Equal(t, []*engine.AuditEntry{e}, es, "unchanged, and outlives its app and user")
}

func TestListAuditFilters(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []*engine.AuditEntry
	for i := range 12 {
		e := &engine.AuditEntry{
			Time:   t0.Add(time.Duration(i) * time.Hour),
			Actor:  []string{"bob@example.com", "carol@example.com", "laptop"}[i%3],
			Action: "deploy", App: []string{"web", "api2"}[i%2], Success: true,
		}
		require.NoError(t, db.AddAudit(ctx, e))
		all = append([]*engine.AuditEntry{e}, all...)
	}
	ids := func(es []*engine.AuditEntry) []int64 {
		out := []int64{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	where := func(keep func(*engine.AuditEntry) bool) []int64 {
		out := []int64{}
		for _, e := range all {
			if keep(e) {
				out = append(out, e.ID)
			}
		}
		return out
	}
	tests := []struct {
		name string
		q    engine.AuditQuery
		want []int64
	}{
		{"all", engine.AuditQuery{}, ids(all)},
		{"app", engine.AuditQuery{App: "web"}, where(func(e *engine.AuditEntry) bool { return e.App == "web" })},
		{"actor", engine.AuditQuery{Actor: "laptop"}, where(func(e *engine.AuditEntry) bool { return e.Actor == "laptop" })},
		{"app and actor", engine.AuditQuery{App: "api2", Actor: "bob@example.com"},
			where(func(e *engine.AuditEntry) bool { return e.App == "api2" && e.Actor == "bob@example.com" })},
		{"since", engine.AuditQuery{Since: t0.Add(9 * time.Hour)}, where(func(e *engine.AuditEntry) bool { return !e.Time.Before(t0.Add(9 * time.Hour)) })},
		{"limit", engine.AuditQuery{Limit: 5}, ids(all[:5])},
		{"before", engine.AuditQuery{Before: all[4].ID, Limit: 5}, ids(all[5:10])},
		{"last page", engine.AuditQuery{Before: all[10].ID, Limit: 5}, ids(all[11:])},
		{"nothing", engine.AuditQuery{App: "nope"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := db.ListAudit(ctx, tt.q)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(es))
		})
	}
}

func TestListAuditLimits(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	for i := range MaxAuditLimit + 5 {
		require.NoError(t, db.AddAudit(ctx, &engine.AuditEntry{Action: "x", Detail: fmt.Sprint(i)}))
	}
	es, err := db.ListAudit(ctx, engine.AuditQuery{})
	require.NoError(t, err)
	assert.Len(t, es, DefaultAuditLimit)
	es, err = db.ListAudit(ctx, engine.AuditQuery{Limit: MaxAuditLimit * 10})
	require.NoError(t, err)
	assert.Len(t, es, MaxAuditLimit)
	requireCode(t, db.AddAudit(ctx, &engine.AuditEntry{Actor: "bob"}), engine.EINVALID, "action")
}
