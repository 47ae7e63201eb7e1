package engine_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// newKeyFor is a key as ui.ParsePublicKey returns it (no owner yet).
func newKeyFor(name string) *engine.Key {
	return &engine.Key{Name: name, Fingerprint: "SHA256:" + name, PublicKey: "ssh-ed25519 AAAA" + name}
}

func TestKeyAddedByAUserIsTheirs(t *testing.T) {
	r, _ := accessRig(t)
	ctx := context.Background()
	socket := engine.WithIdentity(ctx, engine.ServerIdentity("server"))

	cases := []struct {
		name      string
		ctx       context.Context
		forUser   string
		wantOwner string
		wantUser  string
		wantCode  string
	}{
		{"an admin's token: the admin's", as("ada@x.io", engine.RoleAdmin), "", engine.KeyOwnerUser, "ada@x.io", ""},
		{"an admin's session: the admin's", sessionOf("ada@x.io", engine.RoleAdmin), "", engine.KeyOwnerUser, "ada@x.io", ""},
		{"a developer: theirs", as("ann@x.io", engine.RoleDeveloper), "", engine.KeyOwnerUser, "ann@x.io", ""},
		{"an admin for another user", as("ada@x.io", engine.RoleAdmin), "Bob@x.io", engine.KeyOwnerUser, "bob@x.io", ""},
		{"a developer for another user", as("ann@x.io", engine.RoleDeveloper), "bob@x.io", "", "", engine.EFORBIDDEN},
		{"an admin for nobody", as("ada@x.io", engine.RoleAdmin), "nobody@x.io", "", "", engine.ENOTFOUND},
		{"the control socket: the server owner's", socket, "", engine.KeyOwnerServer, "", ""},
		{"the control socket for a user", socket, "vic@x.io", engine.KeyOwnerUser, "vic@x.io", ""},
		{"an identity without a user off the socket", engine.WithIdentity(ctx, engine.Identity{Name: "k", Role: engine.RoleAdmin, Via: "ssh"}), "", "", "", engine.EFORBIDDEN},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newKeyFor("key" + string(rune('a'+i)))
			k.User = tc.forUser
			err := r.eng.AddKey(tc.ctx, k)
			if tc.wantCode != "" {
				requireCode(t, err, tc.wantCode)
				_, err := r.db.FindKeyByFingerprint(ctx, k.Fingerprint)
				requireCode(t, err, engine.ENOTFOUND)
				return
			}
			require.NoError(t, err)
			got, err := r.db.FindKeyByFingerprint(ctx, k.Fingerprint)
			require.NoError(t, err)
			assert.Equal(t, tc.wantOwner, got.Owner)
			assert.Equal(t, tc.wantUser, got.User)
		})
	}
}

func sessionOf(email, role string) context.Context {
	return engine.WithIdentity(context.Background(), engine.Identity{Name: email, User: email, Role: role, Via: "session", From: "192.0.2.1"})
}

// TestAdminKeyStopsWithTheAdmin performs the attack: an admin adds a key
// with an API token, loses the admin role (demoted, disabled, removed),
// and tries to deploy with the key.
func TestAdminKeyStopsWithTheAdmin(t *testing.T) {
	for _, loss := range []string{"demoted to viewer", "disabled", "removed"} {
		t.Run(loss, func(t *testing.T) {
			r, acc := accessRig(t)
			ctx := context.Background()
			_, _, err := acc.AddUser(ctx, "eve@x.io", engine.RoleAdmin)
			require.NoError(t, err)
			eve := as("eve@x.io", engine.RoleAdmin)
			require.NoError(t, r.eng.AddKey(eve, newKeyFor("eves-laptop")))

			key, err := r.db.FindKeyByFingerprint(ctx, "SHA256:eves-laptop")
			require.NoError(t, err)
			id, err := acc.KeyIdentity(ctx, key, "203.0.113.5")
			require.NoError(t, err)
			require.NoError(t, r.eng.PreparePush(engine.WithIdentity(ctx, id), "before", ""), "the key deploys while eve is an admin")
			// A member of the app, so that only the role can refuse her.
			require.NoError(t, acc.Grant(ctx, "before", "eve@x.io"))

			switch loss {
			case "demoted to viewer":
				require.NoError(t, acc.ChangeRole(ctx, "eve@x.io", engine.RoleViewer))
			case "disabled":
				require.NoError(t, acc.DisableUser(ctx, "eve@x.io"))
			case "removed":
				require.NoError(t, acc.RemoveUser(ctx, "eve@x.io"))
			}

			key, err = r.db.FindKeyByFingerprint(ctx, "SHA256:eves-laptop")
			if loss == "removed" {
				requireCode(t, err, engine.ENOTFOUND) // the key went with its user
				return
			}
			require.NoError(t, err)
			id, err = acc.KeyIdentity(ctx, key, "203.0.113.5")
			if loss == "disabled" {
				requireCode(t, err, engine.EUNAUTHORIZED, "disabled")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, engine.RoleViewer, id.Role)
			pusher := engine.WithIdentity(ctx, id)
			requireCode(t, r.eng.PreparePush(pusher, "before", ""), engine.EFORBIDDEN)
			requireCode(t, r.eng.PreparePush(pusher, "after", ""), engine.EFORBIDDEN, "app.create")
			_, err = r.eng.Push(pusher, engine.PushRequest{App: "before", Ref: "refs/heads/main", NewCommit: "img2", Source: enginetest.Source{}})
			requireCode(t, err, engine.EFORBIDDEN)
		})
	}
}

func TestLegacyKeyActsAsServerOwner(t *testing.T) {
	r, acc := accessRig(t)
	id, err := acc.KeyIdentity(context.Background(), &engine.Key{Name: "old", Owner: engine.KeyOwnerLegacy}, "")
	require.NoError(t, err)
	assert.Equal(t, engine.RoleAdmin, id.Role)
	assert.Empty(t, id.User)
	_, err = acc.KeyIdentity(context.Background(), &engine.Key{Name: "odd"}, "")
	requireCode(t, err, engine.EUNAUTHORIZED, "no owner")
	_ = r
}

func TestHoldEndsWhenRightsGo(t *testing.T) {
	cases := []struct {
		name   string
		change func(*engine.Accounts) error
		cause  error
	}{
		{"disabled", func(a *engine.Accounts) error { return a.DisableUser(context.Background(), "ann@x.io") }, engine.ErrAccountDisabled},
		{"demoted", func(a *engine.Accounts) error {
			return a.ChangeRole(context.Background(), "ann@x.io", engine.RoleViewer)
		}, engine.ErrAccountDemoted},
		{"removed", func(a *engine.Accounts) error { return a.RemoveUser(context.Background(), "ann@x.io") }, engine.ErrAccountRemoved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, acc := accessRig(t)
			ctx, release := acc.Hold(as("ann@x.io", engine.RoleDeveloper))
			defer release()
			other, releaseOther := acc.Hold(as("bob@x.io", engine.RoleDeveloper))
			defer releaseOther()
			require.NoError(t, ctx.Err())

			require.NoError(t, tc.change(acc))
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the held context was not cancelled")
			}
			assert.Equal(t, tc.cause, context.Cause(ctx))
			assert.NoError(t, other.Err(), "another user's work goes on")

			// Held again after the change (a race with the check of the
			// credential): cancelled at once.
			late, releaseLate := acc.Hold(as("ann@x.io", engine.RoleDeveloper))
			defer releaseLate()
			assert.Equal(t, tc.cause, context.Cause(late))
		})
	}
	t.Run("a promotion or another user's change cuts nothing", func(t *testing.T) {
		_, acc := accessRig(t)
		ctx, release := acc.Hold(as("vic@x.io", engine.RoleViewer))
		defer release()
		require.NoError(t, acc.ChangeRole(context.Background(), "vic@x.io", engine.RoleDeveloper))
		require.NoError(t, acc.DisableUser(context.Background(), "bob@x.io"))
		assert.NoError(t, ctx.Err())
		assert.Equal(t, 1, acc.HeldWork("vic@x.io"))
		release()
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
		assert.Zero(t, acc.HeldWork("vic@x.io"), "released work is forgotten")
	})
	t.Run("the server owner has nothing to lose", func(t *testing.T) {
		_, acc := accessRig(t)
		ctx, release := acc.Hold(engine.WithIdentity(context.Background(), engine.ServerIdentity("server")))
		defer release()
		assert.NoError(t, ctx.Err())
	})
}

// TestPushInProgressStopsWhenPusherDisabled disables a developer while
// their push builds: the push fails, the release is marked failed, and
// nothing of it serves.
func TestPushInProgressStopsWhenPusherDisabled(t *testing.T) {
	r, acc := accessRig(t)
	ann := as("ann@x.io", engine.RoleDeveloper)
	require.NoError(t, r.eng.PreparePush(ann, "shop", ""))
	_, err := r.eng.Push(ann, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
	require.NoError(t, err)

	r.builder.Gate = make(chan struct{})
	held, release := acc.Hold(ann)
	defer release()
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		_, err := r.eng.Push(held, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img2", Source: enginetest.Source{}, Output: &out})
		done <- err
	}()
	require.Eventually(t, func() bool {
		rels, err := r.eng.ListReleases(context.Background(), "shop", 0)
		return err == nil && len(rels) == 2
	}, 5*time.Second, 10*time.Millisecond, "the second push is building")

	require.NoError(t, acc.DisableUser(context.Background(), "ann@x.io"))
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the push went on after its pusher was disabled")
	}
	require.Error(t, err)
	assert.True(t, errors.Is(context.Cause(held), engine.ErrAccountDisabled))

	app, err := r.eng.FindApp(context.Background(), "shop")
	require.NoError(t, err)
	assert.Equal(t, 1, app.CurrentRelease, "the previous release still serves")
	rels, err := r.eng.ListReleases(context.Background(), "shop", 0)
	require.NoError(t, err)
	assert.Equal(t, engine.ReleaseFailed, rels[0].Status)
}

// TestHoldEndsWhenAccessOrCredentialsGo takes an app, a token or every
// session away from a user while their work is held: it stops at once.
func TestHoldEndsWhenAccessOrCredentialsGo(t *testing.T) {
	admin := engine.Identity{Name: "ada@x.io", User: "ada@x.io", Role: engine.RoleAdmin}
	cases := []struct {
		name   string
		change func(context.Context, *engine.Accounts) error
		cause  error
	}{
		{"access to an app taken away", func(ctx context.Context, a *engine.Accounts) error {
			return a.Revoke(ctx, "shop", "ann@x.io")
		}, engine.ErrAccessRevoked},
		{"a token revoked", func(ctx context.Context, a *engine.Accounts) error {
			tok, _, err := a.CreateToken(ctx, "ann@x.io", "ci", 0)
			if err != nil {
				return err
			}
			return a.RevokeToken(ctx, admin, tok.ID)
		}, engine.ErrCredentialRevoked},
		{"signed out everywhere", func(ctx context.Context, a *engine.Accounts) error {
			return a.SignOutEverywhere(ctx, "ann@x.io")
		}, engine.ErrSignedOutEverywhere},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, acc := accessRig(t)
			ctx := context.Background()
			_, err := r.eng.CreateApp(engine.WithIdentity(ctx, admin), "shop", "ada@x.io")
			require.NoError(t, err)
			require.NoError(t, acc.Grant(ctx, "shop", "ann@x.io"))
			held, release := acc.Hold(as("ann@x.io", engine.RoleDeveloper))
			defer release()
			other, releaseOther := acc.Hold(as("bob@x.io", engine.RoleDeveloper))
			defer releaseOther()

			require.NoError(t, tc.change(ctx, acc))
			select {
			case <-held.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the held context was not cancelled")
			}
			assert.Equal(t, tc.cause, context.Cause(held))
			assert.NoError(t, other.Err(), "another user's work goes on")
		})
	}
}
