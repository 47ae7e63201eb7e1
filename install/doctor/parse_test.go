package doctor

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quayside/quayside/engine"
)

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestParseListeners(t *testing.T) {
	tcp := writeTemp(t, `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 100 0 0 10 0
   2: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`)
	assert.Equal(t, []string{"1111"}, parseListeners(tcp, 80), "an established connection on :80 is not a listener")
	assert.Equal(t, []string{"2222"}, parseListeners(tcp, 2222))
	assert.Empty(t, parseListeners(tcp, 443))
	assert.Empty(t, parseListeners(filepath.Join(t.TempDir(), "none"), 80))
}

func TestReadMeminfo(t *testing.T) {
	p := writeTemp(t, "MemTotal:        2048000 kB\nMemFree:          100000 kB\nMemAvailable:     512000 kB\n")
	total, avail, err := readMeminfo(p)
	require.NoError(t, err)
	assert.Equal(t, int64(2048000)<<10, total)
	assert.Equal(t, int64(512000)<<10, avail)
	_, _, err = readMeminfo(writeTemp(t, "nothing useful\n"))
	assert.Error(t, err)
}

func TestDoctorSettings(t *testing.T) {
	p := writeTemp(t, "# settings\nQUAYSIDE_DOMAIN=example.com\nQUAYSIDE_HTTP_ADDR=\":8080\"\n\nnot a setting\n")
	c := &Config{Settings: p, SSHAddr: ":22"}
	c.FillFromSettings()
	assert.Equal(t, "example.com", c.Domain)
	assert.Equal(t, ":8080", c.HTTPAddr, "quotes are taken off")
	assert.Equal(t, ":443", c.HTTPSAddr, "the default")
	assert.Equal(t, ":22", c.SSHAddr, "a flag wins over the file")

	c = &Config{Settings: filepath.Join(t.TempDir(), "missing")}
	c.FillFromSettings()
	assert.Equal(t, ":80", c.HTTPAddr)
}

func TestDoctorCertificateFindings(t *testing.T) {
	at := func(d time.Duration) *time.Time { v := time.Now().Add(d); return &v }
	cases := map[string]struct {
		cert  Certificate
		valid bool
		level string
	}{
		"valid":                      {Certificate{State: engine.CertValid, NotAfter: at(60 * 24 * time.Hour), RenewAt: at(30 * 24 * time.Hour)}, true, ""},
		"short-lived, renewing soon": {Certificate{State: engine.CertValid, NotAfter: at(3 * 24 * time.Hour), RenewAt: at(time.Hour)}, true, ""},
		"expiring, renewal overdue":  {Certificate{State: engine.CertValid, NotAfter: at(3 * 24 * time.Hour), RenewAt: at(-20 * 24 * time.Hour)}, false, LevelWarn},
		"renewal failing":            {Certificate{State: engine.CertValid, NotAfter: at(60 * 24 * time.Hour), LastError: "rate limited"}, false, LevelWarn},
		"pending":                    {Certificate{State: engine.CertPending}, false, LevelWarn},
		"failed":                     {Certificate{State: engine.CertFailed, LastError: "DNS does not point here"}, false, LevelError},
		"not managed":                {Certificate{State: engine.CertNone}, false, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &doctor{}
			assert.Equal(t, tc.valid, d.checkCertificate("shop", Domain{Host: "shop.example.com", Cert: tc.cert}))
			if tc.level == "" {
				assert.Empty(t, d.findings)
				return
			}
			require.Len(t, d.findings, 1)
			assert.Equal(t, tc.level, d.findings[0].Level)
			assert.Contains(t, d.findings[0].Fix, "quayside domains shop")
		})
	}
}
