package ui_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
	"github.com/quayside/quayside/internal/password"
	"github.com/quayside/quayside/ui/api"
)

func TestPreviewsAPI(t *testing.T) {
	srv, eng := newAPI(t)
	c, ctx := client(srv), context.Background()
	deploy(t, eng, "shop", "img1")

	l, err := c.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	assert.Nil(t, l.Settings, "off")

	_, err = c.EnablePreviews(ctx, "shop", api.EnablePreviews{TTLSeconds: 1 << 62})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "a TTL that would overflow is refused")
	_, err = c.EnablePreviews(ctx, "shop", api.EnablePreviews{Max: 1000})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	_, err = c.EnablePreviews(ctx, "shop", api.EnablePreviews{AuthPassword: "x"})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "a password without auth")
	_, err = c.EnablePreviews(ctx, "shop", api.EnablePreviews{Auth: true, AuthPassword: "short"})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))

	out, err := c.EnablePreviews(ctx, "shop", api.EnablePreviews{TTLSeconds: 3600, Max: 3, Auth: true})
	require.NoError(t, err)
	assert.Equal(t, "preview", out.Settings.AuthUser)
	assert.GreaterOrEqual(t, len(out.AuthPassword), 16, "a made password is answered once")

	_, err = c.ChangeConfig(ctx, "shop", api.ConfigChange{Set: map[string]string{"SECRET": "s"}, ProductionOnly: true}, io.Discard)
	require.NoError(t, err)
	_, err = c.ChangeConfig(ctx, "shop", api.ConfigChange{Set: map[string]string{"DEBUG": "1"}, Previews: true}, io.Discard)
	require.NoError(t, err)

	_, err = eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/feature/a%b", NewCommit: "img2", Source: enginetest.Source{}})
	require.NoError(t, err)
	app, err := eng.FindApp(ctx, "shop--feature-a-b")
	require.NoError(t, err)
	assert.Equal(t, "preview", app.Edge.BasicAuthUser)
	require.NoError(t, password.Check(app.Edge.BasicAuthHash, out.AuthPassword), "the preview requires the answered password")

	l, err = c.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	require.Len(t, l.Previews, 1)
	assert.Equal(t, int64(3600), l.Settings.TTLSeconds)
	assert.Equal(t, []string{"SECRET"}, l.ProductionOnly)
	assert.Equal(t, []string{"DEBUG"}, l.PreviewConfig)
	assert.Equal(t, "http://shop--feature-a-b.example.test", l.Previews[0].URL)
	all, err := c.ListPreviews(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all.Previews, 1)

	apps, err := c.ListApps(ctx)
	require.NoError(t, err)
	previewOf := map[string]string{}
	for _, a := range apps {
		previewOf[a.Name] = a.PreviewOf
	}
	assert.Equal(t, map[string]string{"shop": "", "shop--feature-a-b": "shop"}, previewOf, "the apps list tells previews")
	one, err := c.App(ctx, "shop--feature-a-b")
	require.NoError(t, err)
	assert.Equal(t, "shop", one.PreviewOf)

	err = c.DestroyPreview(ctx, "shop", "feature/nope")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	require.NoError(t, c.DestroyPreview(ctx, "shop", "feature/a%b"), "the branch travels percent-encoded")
	l, err = c.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	assert.Empty(t, l.Previews)

	require.NoError(t, c.DisablePreviews(ctx, "shop"))
	l, err = c.ListPreviews(ctx, "shop")
	require.NoError(t, err)
	assert.Nil(t, l.Settings)
}
