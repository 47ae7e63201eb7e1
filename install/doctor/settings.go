package doctor

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// FillFromSettings takes the values cfg leaves empty from the service's
// settings file (KEY=VALUE lines, the QUAYSIDE_* variables of the flags),
// when it is there and readable, then the defaults :80, :443 and :2222.
func (cfg *Config) FillFromSettings() {
	vals := ReadSettings(cfg.Settings)
	for key, dst := range map[string]*string{
		"QUAYSIDE_DOMAIN": &cfg.Domain, "QUAYSIDE_HTTP_ADDR": &cfg.HTTPAddr, "QUAYSIDE_HTTPS_ADDR": &cfg.HTTPSAddr,
		"QUAYSIDE_SSH_ADDR": &cfg.SSHAddr, "QUAYSIDE_ACME_CA": &cfg.ACMECA, "QUAYSIDE_DNS_PROVIDER": &cfg.DNSProvider,
	} {
		if *dst == "" {
			*dst = vals[key]
		}
	}
	for dst, def := range map[*string]string{&cfg.HTTPAddr: ":80", &cfg.HTTPSAddr: ":443", &cfg.SSHAddr: ":2222"} {
		if *dst == "" {
			*dst = def
		}
	}
}

// ReadSettings reads KEY=VALUE lines; comments and blank lines are
// skipped, quotes around values taken off. A missing file reads as empty.
func ReadSettings(path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		return map[string]string{}
	}
	defer f.Close()
	return ParseSettings(f)
}

// ParseSettings reads KEY=VALUE lines from r as ReadSettings does, for a
// caller that has opened (and checked) the file itself.
func ParseSettings(r io.Reader) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return out
}
