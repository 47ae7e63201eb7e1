package engine_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

const slackURL = "https://hooks.slack.com/services/T0/B0/SECRET"

func TestWebhookURLsAreShownOnlyToThoseWhoMayChangeThem(t *testing.T) {
	r, acc := accessRig(t)
	ann, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.CreateApp(ann, "shop", "")
	require.NoError(t, err)
	require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))
	require.NoError(t, r.eng.SetWebhooks(ann, "shop", []engine.Webhook{{URL: slackURL, Format: "slack"}}))

	hooks, err := r.eng.Webhooks(vic, "shop")
	require.NoError(t, err)
	require.Len(t, hooks, 1)
	assert.Equal(t, engine.Webhook{Format: "slack", Host: "hooks.slack.com"}, hooks[0], "a viewer sees the host only")

	for _, who := range []context.Context{ann, ada} {
		hooks, err = r.eng.Webhooks(who, "shop")
		require.NoError(t, err)
		assert.Equal(t, []engine.Webhook{{URL: slackURL, Format: "slack", Host: "hooks.slack.com"}}, hooks)
	}
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.SetWebhooks(vic, "shop", nil)))
}

func TestWebhookTestNeedsTheRightToChangeAlerts(t *testing.T) {
	r, acc := accessRig(t)
	ann, bob, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper),
		as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.CreateApp(ann, "shop", "")
	require.NoError(t, err)
	require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))

	assert.NoError(t, r.eng.AuthorizeWebhookTest(ann, "shop"))
	assert.NoError(t, r.eng.AuthorizeWebhookTest(ada, "shop"))
	assert.NoError(t, r.eng.AuthorizeWebhookTest(ada, ""))
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.AuthorizeWebhookTest(vic, "shop")), "a viewer")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(r.eng.AuthorizeWebhookTest(bob, "shop")), "another developer's app")
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.AuthorizeWebhookTest(ann, "")), "a server-wide test is for admins")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(r.eng.AuthorizeWebhookTest(ada, "nope")))
}

func TestDestroyedAppsWebhooksAreNotInherited(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.mustPush("shop", "img1")
	require.NoError(t, r.eng.SetWebhooks(ctx, "shop", []engine.Webhook{{URL: slackURL, Format: "slack"}}))
	require.Len(t, r.eng.AlertTargets(ctx, "shop"), 1)

	require.NoError(t, r.eng.Destroy(ctx, "shop"))
	raw, _, err := r.db.Setting(ctx, "webhooks:shop")
	require.NoError(t, err)
	assert.Empty(t, raw, "the destroyed app's webhooks are deleted")

	_, err = r.eng.CreateApp(ctx, "shop", "someone else")
	require.NoError(t, err)
	hooks, err := r.eng.Webhooks(ctx, "shop")
	require.NoError(t, err)
	assert.Empty(t, hooks, "a new app of the same name has none")
	assert.Empty(t, r.eng.AlertTargets(ctx, "shop"))
}

func TestANewAppDropsWebhooksLeftByANamesake(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	// What a destroy before this fix left behind.
	require.NoError(t, r.db.SetSetting(ctx, "webhooks:shop", `[{"url":"`+slackURL+`","format":"slack"}]`))
	_, err := r.eng.CreateApp(ctx, "shop", "someone else")
	require.NoError(t, err)
	assert.Empty(t, r.eng.AlertTargets(ctx, "shop"))
}

func TestServerWebhooksAreForAdminsOnly(t *testing.T) {
	r, _ := accessRig(t)
	ann, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	require.NoError(t, r.eng.SetWebhooks(ada, "", []engine.Webhook{{URL: slackURL, Format: "slack"}}))

	for name, who := range map[string]context.Context{"developer": ann, "viewer": vic} {
		t.Run(name, func(t *testing.T) {
			_, err := r.eng.Webhooks(who, "")
			assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "reading the server's webhooks")
			err = r.eng.SetWebhooks(who, "", []engine.Webhook{{URL: "https://attacker.example/x"}})
			assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "replacing the server's webhooks")
		})
	}
	hooks, err := r.eng.Webhooks(ada, "")
	require.NoError(t, err)
	assert.Equal(t, []engine.Webhook{{URL: slackURL, Format: "slack", Host: "hooks.slack.com"}}, hooks, "the refused writes changed nothing")
}

func TestAppWebhooksOfAMissingOrHiddenAppAreNotFound(t *testing.T) {
	r, _ := accessRig(t)
	ann, bob, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.CreateApp(ann, "shop", "")
	require.NoError(t, err)

	_, err = r.eng.Webhooks(bob, "shop")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "another developer's app is not shown")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(r.eng.SetWebhooks(bob, "shop", nil)))
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(r.eng.SetWebhooks(ada, "nope", []engine.Webhook{{URL: slackURL}})),
		"no webhooks are stored for an app that does not exist")
	raw, _, err := r.db.Setting(context.Background(), "webhooks:nope")
	require.NoError(t, err)
	assert.Empty(t, raw)
}
