package catalogfile

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

const good = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shop
  description: The web shop
  tags: [web, team-a]
  links:
    - url: https://runbooks.example.com/shop
      title: Runbook
spec:
  type: service
  owner: team-payments
  lifecycle: production
  system: store
  dependsOn:
    - component:payments
    - resource:orders-db
`

func TestParse(t *testing.T) {
	f, err := Parse([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, engine.CatalogFields{
		Description: "The web shop", Tags: []string{"web", "team-a"},
		Links: []engine.CatalogLink{{URL: "https://runbooks.example.com/shop", Title: "Runbook"}},
		Owner: "team-payments", Lifecycle: "production", System: "store",
		DependsOn: []string{"component:payments", "resource:orders-db"},
	}, f)
	require.NoError(t, f.Validate())

	multi := "kind: System\nmetadata: {name: store}\n---\n" + good
	g, err := Parse([]byte(multi))
	require.NoError(t, err)
	assert.Equal(t, f, g, "the first Component of several entities")
}

func TestParseBroken(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"owner is a list":  {"kind: Component\nspec:\n  owner: [a, b]\n", "line 3"},
		"not yaml":         {"kind: Component\nspec: {owner: \n  - x\n", "not valid YAML"},
		"no component":     {"kind: API\n", "no entity of kind Component"},
		"empty":            {"", "no entity of kind Component"},
		"tags not a list":  {"kind: Component\nmetadata:\n  tags: web\n", "line 3"},
		"billion laughs":   {"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nkind: Component\nspec: {owner: *g}\n", "catalog-info.yaml"},
		"many docs no cmp": {strings.Repeat("kind: API\n---\n", 100), "no entity of kind Component"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			require.Error(t, err)
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), c.want)
		})
	}
	f, err := Parse([]byte("kind: Component\nmetadata:\n  links: [{url: 'javascript:alert(1)'}]\n"))
	require.NoError(t, err, "the format is checked by Validate")
	assert.Error(t, f.Validate(), "a javascript: link is refused")
}
