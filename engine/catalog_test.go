package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/catalogfile"
	"github.com/quayside/quayside/internal/enginetest"
)

// files are a source's files by path.
type files map[string]string

// fileSource is a Source whose ReadFile answers from files.
type fileSource struct {
	enginetest.Source
	files files
}

func (s fileSource) ReadFile(_ context.Context, name string) ([]byte, error) {
	v, ok := s.files[name]
	if !ok {
		return nil, engine.Errorf(engine.ENOTFOUND, "%s does not exist", name)
	}
	return []byte(v), nil
}

func catalogRig(t *testing.T) *rig {
	r := newRig(t)
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", StopGrace: time.Millisecond,
		CatalogParser: catalogfile.Parse,
	})
	return r
}

func pushWith(t *testing.T, r *rig, app, commit string, fs files) (string, error) {
	t.Helper()
	require.NoError(t, r.eng.PreparePush(context.Background(), app, "alice"))
	var out bytes.Buffer
	_, err := r.eng.Push(context.Background(), engine.PushRequest{App: app, Ref: "refs/heads/main", NewCommit: commit,
		Source: fileSource{files: fs}, Output: &out})
	return out.String(), err
}

const shopCatalog = `kind: Component
metadata:
  description: The shop
  tags: [web]
spec:
  owner: team-shop
  lifecycle: production
  dependsOn: [component:payments]
`

func TestCatalogFileIsReadAtEachPush(t *testing.T) {
	r := catalogRig(t)
	ctx := context.Background()
	out, err := pushWith(t, r, "shop", "img1", files{engine.CatalogFile: shopCatalog})
	require.NoError(t, err, out)
	assert.NotContains(t, out, "Warning")
	c, err := r.eng.Catalog(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "team-shop", c.Effective().Owner)
	assert.Equal(t, []string{"component:payments"}, c.Effective().DependsOn)

	broken := strings.Replace(shopCatalog, "owner: team-shop", "owner: [team-a, team-b]", 1)
	out, err = pushWith(t, r, "shop", "img2", files{engine.CatalogFile: broken})
	require.NoError(t, err, "a broken catalog file never fails the deploy")
	assert.Contains(t, out, "Warning: catalog-info.yaml was not read")
	assert.Contains(t, out, "line 6")
	c, err = r.eng.Catalog(ctx, "shop")
	require.NoError(t, err)
	assert.Equal(t, "team-shop", c.Effective().Owner, "the fields of the last good file stay")
	assert.Contains(t, c.FileError, "line 6")

	bad := strings.Replace(shopCatalog, "tags: [web]", "tags: ['<script>']", 1)
	out, err = pushWith(t, r, "shop", "img3", files{engine.CatalogFile: bad})
	require.NoError(t, err)
	assert.Contains(t, out, "a tag is lowercase letters")

	huge := "kind: Component\nmetadata:\n  description: " + strings.Repeat("x", engine.MaxCatalogFileBytes) + "\n"
	out, err = pushWith(t, r, "shop", "img4", files{engine.CatalogFile: huge})
	require.NoError(t, err)
	assert.Contains(t, out, "larger than 64 KiB")

	out, err = pushWith(t, r, "shop", "img5", files{})
	require.NoError(t, err)
	assert.NotContains(t, out, "Warning", "no file is no warning")
	c, err = r.eng.Catalog(ctx, "shop")
	require.NoError(t, err)
	assert.Empty(t, c.Effective().Owner, "a removed file clears what it said")
}

func TestSetCatalogFillsAndOverrides(t *testing.T) {
	r := catalogRig(t)
	ctx := context.Background()
	_, err := pushWith(t, r, "shop", "img1", files{engine.CatalogFile: shopCatalog})
	require.NoError(t, err)

	c, err := r.eng.SetCatalog(ctx, engine.CatalogChange{App: "shop", Set: map[string]string{
		"owner": "team-payments", "system": "store", "links": "Runbook=https://runbooks.example.com/shop?x=1, https://grafana.example.com",
	}})
	require.NoError(t, err)
	eff := c.Effective()
	assert.Equal(t, "team-shop", eff.Owner, "the file's owner wins unless asked")
	assert.Equal(t, "store", eff.System, "a field the file leaves empty is filled")
	assert.Equal(t, []engine.CatalogLink{{Title: "Runbook", URL: "https://runbooks.example.com/shop?x=1"}, {URL: "https://grafana.example.com"}}, eff.Links)

	c, err = r.eng.SetCatalog(ctx, engine.CatalogChange{App: "shop", Override: []string{"owner"}})
	require.NoError(t, err)
	assert.Equal(t, "team-payments", c.Effective().Owner, "asked to override")

	for _, ch := range []engine.CatalogChange{
		{App: "shop"},
		{App: "shop", Set: map[string]string{"colour": "red"}},
		{App: "shop", Set: map[string]string{"links": "javascript:alert(1)"}},
		{App: "shop", Set: map[string]string{"owner": "team a"}},
		{App: "shop", Set: map[string]string{"description": "two\nlines"}},
		{App: "shop", Set: map[string]string{"tags": strings.Repeat("a,", 60)}},
		{App: "shop", Override: []string{"colour"}},
	} {
		_, err := r.eng.SetCatalog(ctx, ch)
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err), "%+v", ch)
	}
	_, err = r.eng.SetCatalog(ctx, engine.CatalogChange{App: "nope", Set: map[string]string{"owner": "x"}})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))
}

func TestCatalogFollowsAccess(t *testing.T) {
	r, acc := accessRig(t)
	ann, vic, ada := as("ann@x.io", engine.RoleDeveloper), as("vic@x.io", engine.RoleViewer), as("ada@x.io", engine.RoleAdmin)
	require.NoError(t, r.eng.PreparePush(ann, "shop", ""))
	_, err := r.eng.Push(ann, engine.PushRequest{App: "shop", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
	require.NoError(t, err)
	require.NoError(t, r.eng.PreparePush(ada, "bank", ""))
	_, err = r.eng.Push(ada, engine.PushRequest{App: "bank", Ref: "refs/heads/main", NewCommit: "img1", Source: enginetest.Source{}})
	require.NoError(t, err)
	require.NoError(t, acc.Grant(ada, "shop", "vic@x.io"))

	_, err = r.eng.SetCatalog(ann, engine.CatalogChange{App: "shop", Set: map[string]string{"owner": "team-ann"}})
	require.NoError(t, err)
	_, err = r.eng.SetCatalog(vic, engine.CatalogChange{App: "shop", Set: map[string]string{"owner": "team-vic"}})
	assert.Equal(t, engine.EFORBIDDEN, engine.ErrorCode(err), "viewers read the catalog, they do not change it")
	_, err = r.eng.SetCatalog(ann, engine.CatalogChange{App: "bank", Set: map[string]string{"owner": "team-ann"}})
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err), "naming yourself owner of another team's app is impossible")
	_, err = r.eng.Catalog(vic, "bank")
	assert.Equal(t, engine.ENOTFOUND, engine.ErrorCode(err))

	apps, entries, err := r.eng.CatalogEntries(vic)
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, "team-ann", entries["shop"].Effective().Owner)
	assert.Nil(t, entries["bank"])
}

// The file's own text that a YAML error quotes cannot carry terminal
// escapes into what `quayside catalog` prints for everyone who sees the
// app (YAML writes ESC as "\e" in a double-quoted string).
func TestCatalogFileErrorCarriesNoTerminalEscapes(t *testing.T) {
	r := catalogRig(t)
	evil := strings.Replace(shopCatalog, "tags: [web]", `tags: "\ec\e[2J"`, 1)
	out, err := pushWith(t, r, "shop", "img1", files{engine.CatalogFile: evil})
	require.NoError(t, err, out)
	c, err := r.eng.Catalog(context.Background(), "shop")
	require.NoError(t, err)
	require.NotEmpty(t, c.FileError)
	assert.NotContains(t, c.FileError, "\x1b")
	assert.NotContains(t, out, "\x1b")
}
