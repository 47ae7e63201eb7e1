package backup

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/store"
)

func TestCheckReadable(t *testing.T) {
	cases := map[string]struct {
		edit func(h *Header)
		want string
	}{
		"this format":     {func(h *Header) {}, ""},
		"an older schema": {func(h *Header) { h.Schema = 1 }, ""},
		"no format":       {func(h *Header) { h.Format = 0 }, "not a Quayside backup"},
		"a newer format":  {func(h *Header) { h.Format = FormatVersion + 1 }, "made by a newer Quayside"},
		"a newer schema":  {func(h *Header) { h.Schema = store.SchemaVersion() + 1 }, "reads up to format 1"},
		"no instance":     {func(h *Header) { h.Instance = "" }, "names no instance"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := testHeader()
			tc.edit(h)
			err := h.CheckReadable("v1.2.3")
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
			assert.Contains(t, engine.ErrorMessage(err), tc.want)
		})
	}
	h := testHeader()
	h.Format = FormatVersion + 1
	assert.Contains(t, engine.ErrorMessage(h.CheckReadable("v1.2.3")), "this one (v1.2.3)", "the message names the running version")
}

func TestSameHeader(t *testing.T) {
	cases := map[string]func(m *Manifest){
		"another format":   func(m *Manifest) { m.Format++ },
		"another instance": func(m *Manifest) { m.Instance = "x" },
		"another time":     func(m *Manifest) { m.Created = m.Created.Add(time.Second) },
		"another schema":   func(m *Manifest) { m.Schema++ },
	}
	m := &Manifest{Header: *testHeader()}
	assert.NoError(t, m.sameHeader(testHeader()))
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			m := &Manifest{Header: *testHeader()}
			edit(m)
			err := m.sameHeader(testHeader())
			assert.Contains(t, engine.ErrorMessage(err), "its manifest does not match its header")
		})
	}
}

func TestErrorsSayNothingWasRestored(t *testing.T) {
	for _, err := range []error{corrupt("x"), truncated("x")} {
		assert.Equal(t, engine.EINVALID, engine.ErrorCode(err))
		assert.Contains(t, engine.ErrorMessage(err), "nothing was restored")
	}
}

func TestCountApps(t *testing.T) {
	assert.Equal(t, "no apps", CountApps(nil))
	assert.Equal(t, "1 app (shop)", CountApps([]string{"shop"}))
	assert.Equal(t, "2 apps (shop, blog)", CountApps([]string{"shop", "blog"}))
}
