package dashboard_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

// evil is text an app (or whoever pushes to it) controls.
const evil = `<script>alert("owned")</script><img src=x onerror=alert(1)>"'&`

// requireInert checks that p shows evil as text: no element, attribute or
// script came of it.
func requireInert(t *testing.T, p page, where string) {
	t.Helper()
	require.Equal(t, http.StatusOK, p.status, where)
	assert.NotContains(t, p.body, "<script>alert", where)
	assert.NotContains(t, p.body, "<img", where)
	for _, s := range findAll(p.doc, "script") {
		assert.NotEmpty(t, attr(s, "src"), "%s: only the dashboard's own script", where)
	}
	assert.Empty(t, findAll(p.doc, "img"), where)
	found := false
	for n := range p.doc.Descendants() {
		found = found || strings.Contains(n.Data, `<script>alert("owned")</script>`)
	}
	assert.True(t, found, "%s: the text is shown, as text", where)
}

func TestTextFromAppsIsInert(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	ctx := context.Background()
	root := engine.WithIdentity(ctx, engine.ServerIdentity("root"))
	dev := r.signIn(developer)

	t.Run("a log line", func(t *testing.T) {
		r.logs.Append(engine.LogLine{Time: time.Now(), App: "shop", Process: "web", Replica: 1, Release: 1, Stream: engine.StreamStdout, Text: evil})
		waitFor(t, 5*time.Second, "the line in the history", func() bool {
			ls, err := r.eng.Logs(root, engine.LogQuery{App: "shop"})
			return err == nil && len(ls) > 0 && strings.Contains(ls[len(ls)-1].Text, "owned")
		})
		requireInert(t, dev.get("/apps/shop/logs"), "logs")
		requireInert(t, dev.get("/apps/shop/logs?q=owned"), "logs searched")
	})
	t.Run("a release description and commit", func(t *testing.T) {
		rel := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseFailed, Description: evil,
			Commit: evil, Author: evil, Error: evil, CreatedAt: time.Now()}
		require.NoError(t, r.db.CreateRelease(ctx, rel))
		requireInert(t, dev.get("/apps/shop"), "app page")
		requireInert(t, dev.get("/apps/shop/releases/2"), "release page")
		p := dev.get("/")
		assert.NotContains(t, p.body, "<script>alert")
		assert.Contains(t, p.body, "failed")
	})
	t.Run("a config value", func(t *testing.T) {
		_, err := r.eng.SetConfig(root, engine.ConfigChange{App: "shop", Set: map[string]string{"EVIL": evil}})
		require.NoError(t, err)
		p := dev.get("/apps/shop/config")
		assert.NotContains(t, p.body, "owned", "masked until revealed")
		requireInert(t, dev.get("/apps/shop/config?key=EVIL"), "revealed value")
		requireInert(t, dev.get("/apps/shop/config?key=EVIL"), "value in the form")
	})
	t.Run("release output", func(t *testing.T) {
		require.NoError(t, r.db.SaveReleaseOutput(ctx, "shop", 2, "step 1\n"+evil+"\n"))
		requireInert(t, dev.get("/apps/shop/releases/2"), "output")
	})
	t.Run("an event", func(t *testing.T) {
		r.eng.Report(ctx, engine.Event{App: "shop", Kind: engine.EventCrashed, Message: evil})
		requireInert(t, dev.get("/apps/shop"), "events")
	})
	t.Run("the audit log", func(t *testing.T) {
		r.browser().post("/login", map[string][]string{"email": {evil + "@x.io"}, "password": {"x"}})
		p := r.signIn(admin).get("/audit")
		require.Equal(t, http.StatusOK, p.status)
		assert.NotContains(t, p.body, "<script>alert")
		assert.Contains(t, p.body, "&lt;script&gt;alert")
	})
}

// escapes is terminal control an app controls: colours, an OSC 52
// clipboard write, a DSR query, a title, C1 CSI and a BEL.
const escapes = "\x1b[31mred\x1b[0m \x1b]52;c;Y3VybA==\x07\x1b[6n\x1b]0;title\x1b\\\u009b6n\x07end"

// requireNoControls checks that no control character reaches the page.
func requireNoControls(t *testing.T, p page, where string) {
	t.Helper()
	require.Equal(t, http.StatusOK, p.status, where)
	assert.NotContains(t, p.body, "\x1b", where)
	assert.NotContains(t, p.body, "\x07", where)
	assert.NotContains(t, p.body, "\u009b", where)
	assert.NotContains(t, p.body, "Y3VybA==", where)
	assert.Contains(t, p.body, "red ", where)
}

func TestTerminalControlNeverReachesThePage(t *testing.T) {
	r := newRig(t)
	r.deploy("shop", "c1")
	ctx := context.Background()
	root := engine.WithIdentity(ctx, engine.ServerIdentity("root"))
	dev := r.signIn(developer)

	r.logs.Append(engine.LogLine{Time: time.Now(), App: "shop", Process: "web", Replica: 1, Release: 1, Stream: engine.StreamStdout, Text: escapes})
	waitFor(t, 5*time.Second, "the line in the history", func() bool {
		ls, err := r.eng.Logs(root, engine.LogQuery{App: "shop"})
		return err == nil && len(ls) > 0 && strings.Contains(ls[len(ls)-1].Text, "end")
	})
	requireNoControls(t, dev.get("/apps/shop/logs"), "logs")
	// Output stored before it was cleaned on the way in.
	require.NoError(t, r.db.SaveReleaseOutput(ctx, "shop", 1, "step 1\n"+escapes+"\n"))
	requireNoControls(t, dev.get("/apps/shop/releases/1"), "release output")
	r.eng.Report(ctx, engine.Event{App: "shop", Kind: engine.EventCrashed, Message: escapes})
	requireNoControls(t, dev.get("/apps/shop"), "events")
	rel := &engine.Release{App: "shop", Kind: engine.KindDeploy, Status: engine.ReleaseFailed, Description: escapes,
		Commit: "abc", Author: escapes, Error: escapes, CreatedAt: time.Now()}
	require.NoError(t, r.db.CreateRelease(ctx, rel))
	requireNoControls(t, dev.get("/apps/shop/releases/2"), "release description, author and error")
}
