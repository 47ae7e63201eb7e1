package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestCreateFindListTokens(t *testing.T) {
	db, clk := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	mustCreateUser(t, db, "carol@example.com", engine.RoleViewer)

	exp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ci := &engine.Token{User: "Bob@example.com", Name: "ci", Hash: "aaa", Prefix: "qs_abcde", ExpiresAt: exp}
	require.NoError(t, db.CreateToken(ctx, ci))
	assert.NotZero(t, ci.ID)
	assert.Equal(t, clk.t, ci.CreatedAt)
	assert.Equal(t, "bob@example.com", ci.User)
	laptop := &engine.Token{User: "bob@example.com", Name: "laptop", Hash: "bbb", Prefix: "qs_fghij"}
	require.NoError(t, db.CreateToken(ctx, laptop))
	other := &engine.Token{User: "carol@example.com", Name: "x", Hash: "ccc", Prefix: "qs_k"}
	require.NoError(t, db.CreateToken(ctx, other))

	got, err := db.FindTokenByHash(ctx, "aaa")
	require.NoError(t, err)
	assert.Equal(t, ci, got)
	assert.True(t, got.LastUsedAt.IsZero())
	got, err = db.FindTokenByHash(ctx, "bbb")
	require.NoError(t, err)
	assert.True(t, got.ExpiresAt.IsZero(), "no expiry")

	toks, err := db.ListTokens(ctx, "BOB@example.com")
	require.NoError(t, err)
	assert.Equal(t, []*engine.Token{ci, laptop}, toks)
	toks, err = db.ListTokens(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []*engine.Token{ci, laptop, other}, toks, "everyone's, by ID")
	toks, err = db.ListTokens(ctx, "nobody@example.com")
	require.NoError(t, err)
	assert.NotNil(t, toks)
	assert.Empty(t, toks)
}

func TestTouchAndRevokeToken(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	tok := &engine.Token{User: "bob@example.com", Name: "ci", Hash: "aaa"}
	require.NoError(t, db.CreateToken(ctx, tok))

	at := time.Date(2025, 6, 7, 8, 9, 10, 11, time.UTC)
	require.NoError(t, db.TouchToken(ctx, tok.ID, at, "192.0.2.7"))
	got, err := db.FindTokenByHash(ctx, "aaa")
	require.NoError(t, err)
	assert.Equal(t, at, got.LastUsedAt)
	assert.Equal(t, "192.0.2.7", got.LastUsedFrom)
	assert.False(t, got.Revoked)

	require.NoError(t, db.RevokeToken(ctx, tok.ID))
	require.NoError(t, db.RevokeToken(ctx, tok.ID), "revoking twice is fine")
	got, err = db.FindTokenByHash(ctx, "aaa")
	require.NoError(t, err, "revoked tokens can still be found")
	assert.True(t, got.Revoked)
}

func TestTokenErrors(t *testing.T) {
	db, _ := openTest(t)
	ctx := t.Context()
	mustCreateUser(t, db, "bob@example.com", engine.RoleDeveloper)
	require.NoError(t, db.CreateToken(ctx, &engine.Token{User: "bob@example.com", Hash: "aaa"}))

	requireCode(t, db.CreateToken(ctx, &engine.Token{User: "bob@example.com", Hash: "aaa"}), engine.ECONFLICT)
	requireCode(t, db.CreateToken(ctx, &engine.Token{User: "nobody@example.com", Hash: "bbb"}), engine.ENOTFOUND, "nobody@example.com")
	requireCode(t, db.CreateToken(ctx, &engine.Token{User: "bob@example.com"}), engine.EINVALID)
	_, err := db.FindTokenByHash(ctx, "zzz")
	requireCode(t, err, engine.ENOTFOUND)
	requireCode(t, db.TouchToken(ctx, 999, time.Now(), ""), engine.ENOTFOUND, "token 999 not found")
	requireCode(t, db.RevokeToken(ctx, 999), engine.ENOTFOUND, "token 999 not found")
}
