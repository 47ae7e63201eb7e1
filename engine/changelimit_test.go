package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/internal/enginetest"
)

// clock is a settable time for the engine.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// limitRig is accessRig with a clock the test moves.
func limitRig(t *testing.T) (*rig, *clock) {
	t.Helper()
	r, acc := accessRig(t)
	c := &clock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	r.eng = engine.New(engine.Config{
		Store: r.db, Runtime: r.rt, Builder: r.builder, Router: r.router, Repos: r.repos,
		Health: enginetest.Health{RT: r.rt}, Domain: "example.test", Access: acc, Now: c.Now,
	})
	return r, c
}

func TestAppCreationIsRateLimitedPerUser(t *testing.T) {
	r, c := limitRig(t)
	ann, bob, ada := as("ann@x.io", engine.RoleDeveloper), as("bob@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	for i := range engine.MaxAppCreatesPerHour {
		_, err := r.eng.CreateApp(ann, fmt.Sprintf("ann%d", i), "")
		require.NoError(t, err, i)
		c.advance(time.Minute)
	}
	_, err := r.eng.CreateApp(ann, "onemore", "")
	require.Error(t, err)
	assert.Equal(t, engine.ETOOMANY, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "too many new apps: a user may make 20 an hour. Try again in 41 minutes")
	assert.Equal(t, 40*time.Minute+time.Second, engine.ErrorRetryAfter(err), "when the first creation leaves the hour")
	assert.Equal(t, engine.ETOOMANY, engine.ErrorCode(r.eng.PreparePush(ann, "viapush", "")),
		"a first push, which creates the app, is limited too")

	_, err = r.eng.CreateApp(bob, "bobs", "")
	require.NoError(t, err, "the limit is per user")
	for i := range engine.MaxAppCreatesPerHour + 5 {
		_, err := r.eng.CreateApp(ada, fmt.Sprintf("ada%d", i), "")
		require.NoError(t, err, "admins are not limited")
	}
	socket := engine.WithIdentity(context.Background(), engine.ServerIdentity("root"))
	for i := range engine.MaxAppCreatesPerHour + 5 {
		_, err := r.eng.CreateApp(socket, fmt.Sprintf("srv%d", i), "")
		require.NoError(t, err, "the control socket is not limited")
	}

	c.advance(41 * time.Minute)
	_, err = r.eng.CreateApp(ann, "onemore", "")
	assert.NoError(t, err, "allowed again once the oldest creation left the hour")
}

func TestDomainChangesAreRateLimitedPerUser(t *testing.T) {
	r, c := limitRig(t)
	ann, ada := as("ann@x.io", engine.RoleDeveloper), as("ada@x.io", engine.RoleAdmin)
	_, err := r.eng.CreateApp(ann, "shop", "")
	require.NoError(t, err)
	// The attack: remove and add a domain in a loop, each add ordering a
	// certificate.
	for i := range engine.MaxDomainChangesPerHour {
		if i%2 == 0 {
			_, err = r.eng.AddDomain(ann, "shop", "shop.example.com")
		} else {
			err = r.eng.RemoveDomain(ann, "shop", "shop.example.com")
		}
		require.NoError(t, err, i)
	}
	_, err = r.eng.AddDomain(ann, "shop", "shop.example.com")
	assert.Equal(t, engine.ETOOMANY, engine.ErrorCode(err))
	_, err = r.eng.AddDomain(ann, "shop", "www.example.com")
	assert.Equal(t, engine.ETOOMANY, engine.ErrorCode(err))
	assert.Contains(t, engine.ErrorMessage(err), "too many domain changes")
	assert.Positive(t, engine.ErrorRetryAfter(err))
	ds, err := r.eng.Domains(ann, "shop")
	require.NoError(t, err)
	assert.Len(t, ds, 1, "the refused changes changed nothing: only the app's own host")

	_, err = r.eng.AddDomain(ada, "shop", "www.example.com")
	assert.NoError(t, err, "an admin is not limited")
	c.advance(time.Hour + time.Second)
	_, err = r.eng.AddDomain(ann, "shop", "shop.example.com")
	assert.NoError(t, err, "allowed again an hour later")
}
