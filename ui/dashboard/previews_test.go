package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

func TestPreviewsOnTheAppPage(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	ctx := context.Background()
	_, err := r.eng.EnablePreviews(ctx, engine.PreviewsRequest{App: "shop"})
	require.NoError(t, err)
	_, err = r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/x<script>alert(1)</script>", NewCommit: "c2", Source: enginetest.Source{}})
	require.NoError(t, err, "git allows < and > in branch names")
	_, err = r.eng.Push(ctx, engine.PushRequest{App: "shop", Ref: "refs/heads/feature/login", NewCommit: "abcdef1234", Source: enginetest.Source{}})
	require.NoError(t, err)
	dev, vic, out := r.signIn(developer), r.signIn(viewer), r.signIn(outsider)

	t.Run("developers see the list with a destroy button", func(t *testing.T) {
		p := dev.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, `id="previews"`)
		assert.Contains(t, p.body, "feature/login")
		assert.Contains(t, p.body, "abcdef1")
		assert.Contains(t, p.body, "shop--feature-login.")
		assert.Contains(t, p.body, `data-confirm="Destroy the preview of feature/login?`)
		assert.NotContains(t, p.body, "<script>alert(1)", "branch names are escaped")
		assert.Contains(t, p.body, "x&lt;script&gt;alert(1)")
	})
	t.Run("viewers see it without the button", func(t *testing.T) {
		p := vic.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "feature/login")
		assert.NotContains(t, p.body, "/previews/destroy")
		p = vic.submit("/apps/shop/previews/destroy", url.Values{"branch": {"feature/login"}, "confirm": {"yes"}})
		assert.Equal(t, http.StatusForbidden, p.status)
		p = vic.get("/apps/shop--feature-login")
		assert.Equal(t, http.StatusOK, p.status, "viewers of the app see its previews")
	})
	t.Run("others see nothing", func(t *testing.T) {
		p := out.get("/apps/shop--feature-login")
		assert.Equal(t, http.StatusNotFound, p.status)
	})
	t.Run("destroying asks first, then destroys", func(t *testing.T) {
		p := dev.submit("/apps/shop/previews/destroy", url.Values{"branch": {"feature/login"}})
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "Destroy the preview of feature/login?")
		_, err := r.eng.FindApp(ctx, "shop--feature-login")
		require.NoError(t, err, "nothing happened yet")
		p = dev.submit("/apps/shop/previews/destroy", url.Values{"branch": {"feature/login"}, "confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/shop?done=preview-gone", p.header.Get("Location"))
		_, err = r.eng.FindApp(ctx, "shop--feature-login")
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		p = dev.get("/apps/shop")
		assert.NotContains(t, p.body, `href="/apps/shop--feature-login"`)
	})
}
