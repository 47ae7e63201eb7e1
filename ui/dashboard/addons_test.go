package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

func TestAddonsOnTheAppPage(t *testing.T) {
	r := newRig(t)
	addons := enginetest.NewAddons()
	rt := enginetest.NewRuntime()
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: rt, Builder: &enginetest.Builder{}, Router: enginetest.NewRouter(), Repos: &enginetest.Repos{},
		Health: enginetest.Health{RT: rt}, Domain: "example.test", StopGrace: time.Millisecond, Access: r.acc, Logs: r.logs,
		Addons: addons, AddonDumper: addons, AddonDir: t.TempDir(),
	})
	r.start(r.series)
	r.deploy("shop", "c1")
	ctx := context.Background()
	a, err := r.eng.CreateAddon(ctx, engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres})
	require.NoError(t, err)
	addons.Write("shop", "db", "at the backup")
	b, err := r.eng.BackupAddon(ctx, "shop", "db")
	require.NoError(t, err)
	addons.Write("shop", "db", "later")
	dev, vic, ada := r.signIn(developer), r.signIn(viewer), r.signIn(admin)
	form := url.Values{"addon": {"db"}, "backup": {b.Name}}

	t.Run("viewers see the add-on and its backups, never the URL, and cannot restore", func(t *testing.T) {
		p := vic.get("/apps/shop")
		require.Equal(t, http.StatusOK, p.status, r.logged.String())
		assert.Contains(t, p.body, `id="addons"`)
		assert.Contains(t, p.body, "postgres 15")
		assert.Contains(t, p.body, "DATABASE_URL")
		assert.Contains(t, p.body, b.Name)
		assert.NotContains(t, p.body, a.Password)
		assert.NotContains(t, p.body, "/addons/restore")
		assert.Equal(t, http.StatusForbidden, vic.submit("/apps/shop/addons/restore", form).status)
	})
	t.Run("developers cannot restore over live data", func(t *testing.T) {
		assert.NotContains(t, dev.get("/apps/shop").body, "/addons/restore")
		assert.Equal(t, http.StatusForbidden, dev.submit("/apps/shop/addons/restore", form).status)
		assert.Equal(t, "later", addons.Data("shop", "db"))
	})
	t.Run("admins restore after a confirmation", func(t *testing.T) {
		p := ada.get("/apps/shop")
		assert.Contains(t, p.body, `action="/apps/shop/addons/restore"`)
		p = ada.submit("/apps/shop/addons/restore", form)
		require.Equal(t, http.StatusOK, p.status)
		assert.Contains(t, p.body, "Restore db of shop from "+b.Name+"?")
		assert.Equal(t, "later", addons.Data("shop", "db"), "nothing happens before the confirmation")
		form.Set("confirm", "yes")
		p = ada.submit("/apps/shop/addons/restore", form)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		assert.Equal(t, "/apps/shop?done=addon-restored", p.header.Get("Location"))
		assert.Equal(t, "at the backup", addons.Data("shop", "db"))
		form.Set("backup", "../../secret.dump")
		assert.NotEqual(t, http.StatusSeeOther, ada.submit("/apps/shop/addons/restore", form).status)
	})
}
