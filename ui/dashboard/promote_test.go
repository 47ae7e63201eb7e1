package dashboard_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func TestReleasesShowWhereAPromotionCameFrom(t *testing.T) {
	r := newRig(t)
	r.deploy("staging", "abc1234def")
	r.deploy("production", "p1")
	rel, err := r.eng.Promote(context.Background(), engine.PromoteRequest{Source: "staging", Target: "production", Author: "tester"})
	require.NoError(t, err)
	b := r.signIn(viewer)

	list := b.get("/apps/production")
	require.Equal(t, http.StatusOK, list.status)
	assert.Contains(t, list.body, `promoted from <a href="/apps/staging/releases/1">staging v1</a>`)

	one := b.get("/apps/production/releases/" + strconv.Itoa(rel.Number))
	require.Equal(t, http.StatusOK, one.status)
	assert.Contains(t, one.body, "<dt>Promoted from</dt>")
	assert.Contains(t, one.body, `<a href="/apps/staging/releases/1">staging v1</a>`)
	assert.Contains(t, one.body, "Promoted from staging v1 (abc1234)")
}
