package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestDomains(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateApp(t, db, "shop")
	mustCreateApp(t, db, "blog")

	d := &engine.Domain{App: "shop", Host: "shop.example.com"}
	require.NoError(t, db.AddDomain(ctx, d))
	assert.False(t, d.CreatedAt.IsZero())
	require.NoError(t, db.AddDomain(ctx, &engine.Domain{App: "shop", Host: "www.shop.example.com"}))

	err := db.AddDomain(ctx, &engine.Domain{App: "blog", Host: "shop.example.com"})
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), `belongs to the app "shop"`)
	err = db.AddDomain(ctx, &engine.Domain{App: "shop", Host: "shop.example.com"})
	assert.Contains(t, engine.ErrorMessage(err), "already has")
	err = db.AddDomain(ctx, &engine.Domain{App: "nope", Host: "x.example.com"})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	ds, err := db.ListDomains(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, ds, 2)
	assert.Equal(t, "shop.example.com", ds[0].Host)
	all, err := db.ListDomains(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 2)
	_, err = db.ListDomains(ctx, "nope")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(db.RemoveDomain(ctx, "blog", "shop.example.com")))
	require.NoError(t, db.RemoveDomain(ctx, "shop", "shop.example.com"))
	require.NoError(t, db.AddDomain(ctx, &engine.Domain{App: "blog", Host: "shop.example.com"}), "a removed host is free again")

	require.NoError(t, db.DeleteApp(ctx, "blog"))
	all, err = db.ListDomains(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 1, "an app's domains go with it")
}

func TestEdgeRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	app := &engine.App{Name: "shop", Edge: engine.DefaultEdge()}
	require.NoError(t, db.CreateApp(ctx, app))
	got, err := db.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, engine.DefaultEdge(), got.Edge)

	got.Edge = engine.Edge{HSTS: true, BasicAuthUser: "ann", BasicAuthHash: "$argon2id$x", Maintenance: true, MaintenancePage: "<h1>back soon</h1>"}
	require.NoError(t, db.UpdateApp(ctx, got))
	again, err := db.FindApp(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, got.Edge, again.Edge)
}
