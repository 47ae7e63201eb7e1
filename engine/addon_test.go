package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// addonRig is the engine rig with fake add-ons, backups under a temp dir
// and, when acc is true, access control by real Accounts.
type addonRig struct {
	*rig
	addons *enginetest.Addons
	acc    *engine.Accounts
	dir    string
}

func newAddonRig(t *testing.T, withAccess bool) *addonRig {
	t.Helper()
	r := newRig(t)
	ar := &addonRig{rig: r, addons: enginetest.NewAddons(), dir: t.TempDir()}
	cfg := engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		Addons: ar.addons, AddonDumper: ar.addons, AddonDir: ar.dir,
		MaxLimits: engine.Limits{MemoryBytes: 1 << 30},
	}
	if withAccess {
		ar.acc = engine.NewAccounts(engine.AccountsConfig{Store: r.db, Hasher: &fakeHasher{}})
		cfg.Access = ar.acc
		for email, role := range map[string]string{"ann@x.io": engine.RoleDeveloper, "bob@x.io": engine.RoleDeveloper, "vic@x.io": engine.RoleViewer, "ada@x.io": engine.RoleAdmin} {
			_, _, err := ar.acc.AddUser(context.Background(), email, role)
			require.NoError(t, err)
		}
	}
	r.eng = engine.New(cfg)
	return ar
}

// config returns app's current config values.
func (r *addonRig) config(app string) map[string]string {
	r.t.Helper()
	cv, err := r.eng.Config(context.Background(), app)
	require.NoError(r.t, err)
	return cv.Vars
}

func (r *addonRig) create(app, kind, name string) *engine.Addon {
	r.t.Helper()
	a, err := r.eng.CreateAddon(context.Background(), engine.AddonRequest{App: app, Kind: kind, Name: name})
	require.NoError(r.t, err)
	return a
}

func TestCreateAddonGivesTheAppItsURLInAConfigRelease(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()

	db := r.create("shop", engine.AddonPostgres, "")
	assert.Equal(t, "db", db.Name)
	assert.Equal(t, "quayside/postgres:15-offline", db.Image, "no official image here: the offline one")
	url := r.config("shop")["DATABASE_URL"]
	assert.Equal(t, "postgres://app:"+db.Password+"@addon-shop-db:5432/app?sslmode=disable", url)
	assert.Len(t, db.Password, 32)

	rels, err := r.eng.ListReleases(ctx, "shop", 0)
	require.NoError(t, err)
	assert.Equal(t, engine.KindConfig, rels[0].Kind, "the URL arrives by a config release")
	assert.Equal(t, "img1", rels[0].Image)

	spec, ok := r.addons.Spec("shop", "db")
	require.True(t, ok)
	assert.Equal(t, []string{"shop"}, spec.Networks, "only on its app's network")
	assert.Empty(t, spec.ExposeAddr, "never published")
	assert.Equal(t, "addon-shop-db", spec.Host)
	assert.Equal(t, int64(engine.DefaultAddonMemory), spec.MemoryBytes)

	t.Run("a second database gets a name-derived variable", func(t *testing.T) {
		db2 := r.create("shop", engine.AddonPostgres, "")
		assert.Equal(t, "db2", db2.Name)
		assert.Equal(t, db2.URL(), r.config("shop")["DB2_URL"])
		assert.Equal(t, url, r.config("shop")["DATABASE_URL"])
	})
	t.Run("promote swaps the primary", func(t *testing.T) {
		require.NoError(t, r.eng.PromoteAddon(ctx, "shop", "db2", nil))
		db2, err := r.db.FindAddon(ctx, "shop", "db2")
		require.NoError(t, err)
		cfg := r.config("shop")
		assert.Equal(t, db2.URL(), cfg["DATABASE_URL"])
		assert.Equal(t, url, cfg["DB2_URL"], "the former primary takes the promoted one's variable")
		assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(r.eng.PromoteAddon(ctx, "shop", "db2", nil)))
	})
	t.Run("redis gives REDIS_URL", func(t *testing.T) {
		red := r.create("shop", engine.AddonRedis, "")
		assert.Equal(t, "redis://:"+red.Password+"@addon-shop-redis:6379", r.config("shop")["REDIS_URL"])
		spec, _ := r.addons.Spec("shop", "redis")
		assert.Equal(t, []string{"redis-server", "--requirepass", red.Password, "--appendonly", "yes", "--dir", "/data"}, spec.Cmd)
	})
	t.Run("list and info never carry the password", func(t *testing.T) {
		list, err := r.eng.Addons(ctx, "shop")
		require.NoError(t, err)
		require.Len(t, list, 3)
		for _, a := range list {
			assert.Empty(t, a.Password)
			require.NotNil(t, a.Container)
			assert.True(t, a.Container.Running)
		}
		got, err := r.eng.AddonURL(ctx, "shop", "db")
		require.NoError(t, err)
		assert.Equal(t, url, got)
	})
}

func TestCreateAddonBeforeTheFirstDeploySavesTheConfig(t *testing.T) {
	r := newAddonRig(t, false)
	_, err := r.eng.CreateApp(context.Background(), "worker-app", "alice")
	require.NoError(t, err)
	r.create("worker-app", engine.AddonRedis, "cache")
	assert.Contains(t, r.config("worker-app"), "REDIS_URL")
}

func TestCreateAddonRefusesBadInput(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	for _, name := range []string{"../etc", "db;rm -rf /", "$(id)", "DB", "a/b", "db-", "a--b", "x" + strings.Repeat("y", 30), "-db", "1db"} {
		_, err := r.eng.CreateAddon(ctx, engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres, Name: name})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "name %q", name)
	}
	for _, tc := range []struct{ kind, version, memory string }{
		{"mysql", "", ""}, {"postgres", "9", ""}, {"postgres", "15; rm", ""}, {"redis", "", "1000T"},
		{"redis", "", "-5M"}, {"redis", "", "1K"}, {"redis", "", "lots"},
	} {
		_, err := r.eng.CreateAddon(ctx, engine.AddonRequest{App: "shop", Kind: tc.kind, Version: tc.version, Memory: tc.memory})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%+v", tc)
	}
	_, err := r.eng.CreateAddon(ctx, engine.AddonRequest{App: "nope", Kind: engine.AddonPostgres})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	list, err := r.db.ListAddons(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, list, "nothing was stored")
	assert.Empty(t, r.addons.Volumes, "no volume was made")
}

func TestCreateAddonWithoutAnImageNamesMakeAddons(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	delete(r.addons.Images, "quayside/postgres:15-offline")
	_, err := r.eng.CreateAddon(context.Background(), engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres})
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "make addons")
	r.addons.Images["postgres:15"] = true
	a := r.create("shop", engine.AddonPostgres, "")
	assert.Equal(t, "postgres:15", a.Image, "the official image when the daemon has it")
}

func TestAddonsPerAppAreCapped(t *testing.T) {
	r := newAddonRig(t, false)
	_, err := r.eng.CreateApp(context.Background(), "big", "alice")
	require.NoError(t, err)
	for i := 0; i < engine.MaxAddonsPerApp; i++ {
		r.create("big", engine.AddonRedis, "")
	}
	_, err = r.eng.CreateAddon(context.Background(), engine.AddonRequest{App: "big", Kind: engine.AddonRedis})
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "destroy one first")
}

func TestDestroyAppRefusesWhileItOwnsAddons(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonPostgres, "")
	r.addons.Write("shop", "db", "rows")
	err := r.eng.Destroy(ctx, "shop")
	assert.Equal(t, engine.ECONFLICT, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "--with-addons")
	_, err = r.eng.FindApp(ctx, "shop")
	require.NoError(t, err, "the app is still there")

	require.NoError(t, r.eng.DestroyWithAddons(ctx, "shop", false, nil))
	_, err = r.eng.FindApp(ctx, "shop")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	assert.Empty(t, r.addons.Volumes, "the volume went with the add-on")
	files, err := filepath.Glob(filepath.Join(r.dir, "shop", "db", "*-final.dump"))
	require.NoError(t, err)
	require.Len(t, files, 1, "a final backup is kept")
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Equal(t, "rows", string(data))
}

func TestDestroyAddonUnsetsTheURLAndKeepsAFinalBackup(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonPostgres, "")
	r.addons.Write("shop", "db", "rows")
	require.NoError(t, r.eng.DestroyAddon(ctx, "shop", "db", false, nil))
	assert.NotContains(t, r.config("shop"), "DATABASE_URL")
	_, err := r.db.FindAddon(ctx, "shop", "db")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
	files, _ := filepath.Glob(filepath.Join(r.dir, "shop", "db", "*-final.dump"))
	assert.Len(t, files, 1)

	t.Run("without backup support the destroy needs --no-backup", func(t *testing.T) {
		r2 := newAddonRig(t, false)
		r2.eng = engine.New(engine.Config{Store: r2.db, Runtime: r2.rt, Builder: r2.builder, Router: r2.router, Repos: r2.repos,
			Health: enginetest.Health{RT: r2.rt}, Domain: "example.test", Addons: r2.addons})
		r2.mustPush("shop", "img1")
		r2.create("shop", engine.AddonRedis, "")
		err := r2.eng.DestroyAddon(ctx, "shop", "redis", false, nil)
		assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "--no-backup")
		_, err = r2.db.FindAddon(ctx, "shop", "redis")
		require.NoError(t, err, "nothing was removed")
		require.NoError(t, r2.eng.DestroyAddon(ctx, "shop", "redis", true, nil))
	})
}

func TestBackupAndRestoreAnAddon(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonPostgres, "")
	r.addons.Write("shop", "db", "state-at-backup")
	b, err := r.eng.BackupAddon(ctx, "shop", "db")
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(r.dir, "shop", "db", b.Name))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	r.addons.Write("shop", "db", "state-after")

	require.NoError(t, r.eng.RestoreAddon(ctx, "shop", "db", b.Name, nil))
	assert.Equal(t, "state-at-backup", r.addons.Data("shop", "db"))
	list, err := r.eng.AddonBackups(ctx, "shop", "db")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, engine.BackupPreRestore, list[0].Label, "the replaced data was backed up first")
	data, _ := os.ReadFile(filepath.Join(r.dir, "shop", "db", list[0].Name))
	assert.Equal(t, "state-after", string(data))

	t.Run("a backup name that is a path is refused", func(t *testing.T) {
		secret := filepath.Join(r.dir, "shop", "secret.dump")
		require.NoError(t, os.WriteFile(secret, []byte("other"), 0o600))
		for _, name := range []string{"../secret.dump", "../../etc/passwd", "/etc/passwd", "20260101T000000.000Z-manual.dump/../../secret.dump", ""} {
			err := r.eng.RestoreAddon(ctx, "shop", "db", name, nil)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), name)
		}
		err := r.eng.RestoreAddon(ctx, "shop", "db", "20200101T000000.000Z-manual.dump", nil)
		assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
		assert.Equal(t, "state-at-backup", r.addons.Data("shop", "db"))
	})
}

func TestDailyBackupsKeepTheNewest(t *testing.T) {
	r := newAddonRig(t, false)
	now := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	r.eng = engine.New(engine.Config{Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", Addons: r.addons, AddonDumper: r.addons, AddonDir: r.dir,
		Now: func() time.Time { return now }})
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonRedis, "")
	require.NoError(t, r.eng.SetAddonKeep(ctx, "shop", "redis", 3))
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.eng.SetAddonKeep(ctx, "shop", "redis", -1)))
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.eng.SetAddonKeep(ctx, "shop", "redis", 100000)))
	for day := 0; day < 5; day++ {
		r.eng.TakeDailyBackups(ctx)
		r.eng.TakeDailyBackups(ctx) // a second look the same day takes none
		now = now.Add(24 * time.Hour)
	}
	list, err := r.eng.AddonBackups(ctx, "shop", "redis")
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, "20260105T030000.000Z-daily.dump", list[0].Name)
	assert.Equal(t, "20260103T030000.000Z-daily.dump", list[2].Name)
}

func TestReconcileAddonsBringsContainersBackOnTheirVolume(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonPostgres, "")
	r.create("shop", engine.AddonRedis, "")
	r.addons.Write("shop", "db", "rows")
	r.addons.Kill("shop", "db", true)
	r.addons.Kill("shop", "redis", false)
	require.NoError(t, r.eng.ReconcileAddons(ctx))
	for _, name := range []string{"db", "redis"} {
		c, err := r.addons.InspectAddon(ctx, "shop", name)
		require.NoError(t, err)
		assert.True(t, c.Running, name)
	}
	assert.Equal(t, "rows", r.addons.Data("shop", "db"), "the volume was reused, not recreated")
}

func TestAddonRoles(t *testing.T) {
	r := newAddonRig(t, true)
	ann, bob, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper),
		as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	for app, who := range map[string]context.Context{"shop": ann, "blog": bob} {
		require.NoError(t, r.eng.PreparePush(who, app, ""))
		_, err := r.eng.Push(who, engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: "img", Source: enginetest.Source{}})
		require.NoError(t, err)
	}
	_, err := r.eng.CreateAddon(ann, engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres})
	require.NoError(t, err, "developers create add-ons of their apps")
	_, err = r.eng.BackupAddon(ann, "shop", "db")
	require.NoError(t, err, "and back them up")

	t.Run("a developer of another app cannot attach the database", func(t *testing.T) {
		_, err := r.eng.AttachAddon(bob, "blog", "shop/db", nil)
		assert.Contains(t, []string{engine.ENOTFOUND, engine.EFORBIDDEN}, engine.ErrorCode(err))
		assert.NotContains(t, r.config("blog"), "DATABASE_URL")
		c, _ := r.addons.InspectAddon(context.Background(), "shop", "db")
		assert.Equal(t, []string{"shop"}, c.Networks, "the database is not on blog's network")
	})
	t.Run("nor can a viewer of both", func(t *testing.T) {
		require.NoError(t, r.acc.Grant(ada, "shop", "vic@x.io"))
		require.NoError(t, r.acc.Grant(ada, "blog", "vic@x.io"))
		_, err := r.eng.AttachAddon(vic, "blog", "shop/db", nil)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
	})
	t.Run("viewers see add-ons but never the URL", func(t *testing.T) {
		list, err := r.eng.Addons(vic, "shop")
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Empty(t, list[0].Password)
		_, err = r.eng.AddonURL(vic, "shop", "db")
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err))
		cv, err := r.eng.Config(vic, "shop")
		require.NoError(t, err)
		assert.Empty(t, cv.Vars["DATABASE_URL"])
	})
	t.Run("developers neither destroy nor restore over live data", func(t *testing.T) {
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.DestroyAddon(ann, "shop", "db", true, nil)))
		list, err := r.eng.AddonBackups(ann, "shop", "db")
		require.NoError(t, err)
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(r.eng.RestoreAddon(ann, "shop", "db", list[0].Name, nil)))
	})
	t.Run("a developer of both apps may attach", func(t *testing.T) {
		require.NoError(t, r.acc.Grant(ada, "blog", "ann@x.io"))
		a, err := r.eng.AttachAddon(ann, "blog", "shop/db", nil)
		require.NoError(t, err)
		assert.Equal(t, a.URL(), r.config("blog")["DATABASE_URL"])
		c, _ := r.addons.InspectAddon(context.Background(), "shop", "db")
		assert.ElementsMatch(t, []string{"shop", "blog"}, c.Networks)
		info, err := r.eng.AddonInfo(ann, "blog", "shop/db")
		require.NoError(t, err)
		assert.Equal(t, "db", info.Name)

		require.NoError(t, r.eng.DetachAddon(ann, "blog", "shop/db", nil))
		assert.NotContains(t, r.config("blog"), "DATABASE_URL")
		c, _ = r.addons.InspectAddon(context.Background(), "shop", "db")
		assert.Equal(t, []string{"shop"}, c.Networks)
	})
	t.Run("an admin destroys and everything is audited", func(t *testing.T) {
		require.NoError(t, r.eng.DestroyAddon(ada, "shop", "db", false, nil))
		entries, err := r.acc.ListAudit(context.Background(), engine.AuditQuery{App: "shop"})
		require.NoError(t, err)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{engine.AuditAddonCreate, engine.AuditAddonBackup, engine.AuditAddonDestroy, "denied.app.destroy"} {
			assert.Contains(t, actions, want)
		}
	})
}

func TestAddonMemoryCeiling(t *testing.T) {
	r := newAddonRig(t, true)
	ann, ada := as("ann@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	require.NoError(t, r.eng.PreparePush(ann, "shop", ""))
	_, err := r.eng.CreateAddon(ann, engine.AddonRequest{App: "shop", Kind: engine.AddonRedis, Memory: "8G"})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "above the server's ceiling of 1G")
	_, err = r.eng.CreateAddon(ada, engine.AddonRequest{App: "shop", Kind: engine.AddonRedis, Memory: "8G"})
	require.NoError(t, err, "admins may exceed it")
}

func TestReconcileFillsALostVolumeFromTheNewestBackup(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	r.create("shop", engine.AddonPostgres, "")
	r.addons.Write("shop", "db", "old rows")
	_, err := r.eng.BackupAddon(ctx, "shop", "db")
	require.NoError(t, err)
	r.addons.Write("shop", "db", "rows at the server backup")
	_, err = r.eng.BackupAddon(ctx, "shop", "db")
	require.NoError(t, err)

	r.addons.LoseVolume("shop", "db")
	require.NoError(t, r.eng.ReconcileAddons(ctx))
	require.Eventually(t, func() bool { return r.addons.Data("shop", "db") == "rows at the server backup" },
		10*time.Second, 10*time.Millisecond, "the newest backup fills the new volume")
	require.NoError(t, r.eng.Close())

	r.addons.Write("shop", "db", "live rows")
	r.addons.Kill("shop", "db", true)
	require.NoError(t, r.eng.ReconcileAddons(ctx))
	require.NoError(t, r.eng.Close())
	assert.Equal(t, "live rows", r.addons.Data("shop", "db"), "an existing volume is never overwritten")
}

func TestExposeAddon(t *testing.T) {
	r := newAddonRig(t, true)
	ann, ada := as("ann@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	require.NoError(t, r.eng.PreparePush(ann, "shop", ""))
	_, err := r.eng.CreateAddon(ann, engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres})
	require.NoError(t, err)
	spec := func() string { s, _ := r.addons.Spec("shop", "db"); return s.ExposeAddr }

	err = r.eng.ExposeAddon(ann, engine.ExposeRequest{App: "shop", Name: "db", Addr: "127.0.0.1:15432"})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "developers do not open the data beyond the app")
	for _, bad := range []string{"localhost:5432", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", "; rm -rf /"} {
		err := r.eng.ExposeAddon(ada, engine.ExposeRequest{App: "shop", Name: "db", Addr: bad})
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), bad)
	}
	for _, wide := range []string{"0.0.0.0:5432", "[::]:5432", "192.0.2.7:5432"} {
		err := r.eng.ExposeAddon(ada, engine.ExposeRequest{App: "shop", Name: "db", Addr: wide})
		assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), wide)
		assert.Contains(t, engine.ErrorMessage(err), "--public")
	}
	assert.Empty(t, spec(), "nothing was published")

	require.NoError(t, r.eng.ExposeAddon(ada, engine.ExposeRequest{App: "shop", Name: "db", Addr: "127.0.0.1:15432"}))
	assert.Equal(t, "127.0.0.1:15432", spec())
	require.NoError(t, r.eng.ExposeAddon(ada, engine.ExposeRequest{App: "shop", Name: "db", Addr: "0.0.0.0:15432", Public: true}))
	assert.Equal(t, "0.0.0.0:15432", spec())
	require.NoError(t, r.eng.ExposeAddon(ada, engine.ExposeRequest{App: "shop", Name: "db"}))
	assert.Empty(t, spec())
	a, err := r.db.FindAddon(context.Background(), "shop", "db")
	require.NoError(t, err)
	assert.Empty(t, a.ExposeAddr)
}

func TestUpgradeAddonKeepsTheDataAndTheOldVolume(t *testing.T) {
	r := newAddonRig(t, false)
	r.mustPush("shop", "img1")
	ctx := context.Background()
	a := r.create("shop", engine.AddonPostgres, "")
	url := r.config("shop")["DATABASE_URL"]
	r.addons.Write("shop", "db", "rows")

	err := r.eng.UpgradeAddon(ctx, "shop", "db", "16", nil)
	assert.Equal(t, engine.EUNAVAILABLE, engine.ErrorCode(err), "no image of 16 yet")
	assert.Contains(t, engine.ErrorMessage(err), "make addons")
	for _, v := range []string{"15", "14", "9", "16; rm"} {
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(r.eng.UpgradeAddon(ctx, "shop", "db", v, nil)), v)
	}
	r.addons.Images["quayside/postgres:16-offline"] = true
	require.NoError(t, r.eng.UpgradeAddon(ctx, "shop", "db", "16", nil))
	up, err := r.db.FindAddon(ctx, "shop", "db")
	require.NoError(t, err)
	assert.Equal(t, "16", up.Version)
	assert.Equal(t, "quayside/postgres:16-offline", up.Image)
	assert.Equal(t, []string{a.Volume}, up.OldVolumes)
	assert.NotEqual(t, a.Volume, up.Volume)
	assert.Equal(t, "rows", r.addons.Data("shop", "db"), "the data came over")
	assert.Equal(t, "rows", r.addons.Volumes[a.Volume], "the old volume is kept")
	assert.Equal(t, url, r.config("shop")["DATABASE_URL"], "the URL did not change")

	removed, err := r.eng.RemoveOldVolumes(ctx, "shop", "db")
	require.NoError(t, err)
	assert.Equal(t, []string{a.Volume}, removed)
	assert.NotContains(t, r.addons.Volumes, a.Volume)
	up, _ = r.db.FindAddon(ctx, "shop", "db")
	assert.Empty(t, up.OldVolumes)
}

func TestRestoreIntoANewAddonLeavesTheLiveData(t *testing.T) {
	r := newAddonRig(t, true)
	ann := as("ann@x.io", engine.RoleDeveloper)
	require.NoError(t, r.eng.PreparePush(ann, "shop", ""))
	_, err := r.eng.Push(ann, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img", Source: enginetest.Source{}})
	require.NoError(t, err)
	_, err = r.eng.CreateAddon(ann, engine.AddonRequest{App: "shop", Kind: engine.AddonPostgres})
	require.NoError(t, err)
	r.addons.Write("shop", "db", "yesterday")
	b, err := r.eng.BackupAddon(ann, "shop", "db")
	require.NoError(t, err)
	r.addons.Write("shop", "db", "today")

	_, err = r.eng.RestoreAddonInto(ann, "shop", "db", "../"+b.Name, "old", nil)
	assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
	a, err := r.eng.RestoreAddonInto(ann, "shop", "db", b.Name, "old", nil)
	require.NoError(t, err, "a developer may restore into a new add-on")
	assert.Equal(t, "yesterday", r.addons.Data("shop", "old"))
	assert.Equal(t, "today", r.addons.Data("shop", "db"), "the live data stays")
	assert.Equal(t, a.URL(), r.config("shop")["OLD_URL"])
}
