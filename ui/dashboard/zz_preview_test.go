package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

func TestZZPreview(t *testing.T) {
	dir := os.Getenv("PREVIEW_DIR")
	if dir == "" {
		t.Skip()
	}
	r := newRig(t)
	fillRealistically(t, r)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(r.srv.URL+"/login")))
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("email"), admin), chromedp.SendKeys(chromedp.ID("password"), password(admin))))
	shot(t, ctx, dir, "login")
	resp, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("password")))
	require.NoError(t, err)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	t.Log(resp.Status, loc, body)
	for _, path := range []string{"/", "/apps/shop", "/apps/shop/logs", "/apps/shop/metrics?span=7d", "/apps/shop/config?key=KEY_001", "/apps/shop/domains", "/apps/shop/scale", "/users?user=user01@example.com", "/tokens", "/audit", "/apps/shop/releases/2"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(r.srv.URL+path), chromedp.Sleep(300*time.Millisecond)))
		shot(t, ctx, dir, strings.NewReplacer("/", "_", "?", "_", "=", "_", "@", "_").Replace(path))
	}
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644))
}
