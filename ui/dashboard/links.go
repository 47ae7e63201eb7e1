package dashboard

import "strings"

// Links are the server's public addresses. Every URL the dashboard prints
// (an app's, a custom domain's, a push URL) comes from here, so each one
// carries the scheme, host and port people can really reach.
type Links struct {
	// HostURL is the URL of a host the proxy serves, scheme and port
	// included ("https://shop.example.com:8443"). An app's own host and
	// its custom domains both go through it.
	HostURL func(host string) string
	// GitSSH is the prefix of SSH push URLs ("ssh://git@example.com:2222/").
	GitSSH string
	// Control is the control host's URL, where git over HTTPS answers
	// ("https://quayside.example.com:8443").
	Control string
}

// withDefaults fills what cfg leaves out: hosts over HTTPS on the
// standard port, the control host at quayside.<domain> and SSH on port 22
// of the base domain.
func (l Links) withDefaults(domain string) Links {
	if l.HostURL == nil {
		l.HostURL = func(host string) string { return "https://" + host }
	}
	if l.Control == "" {
		l.Control = l.HostURL("quayside." + domain)
	}
	if l.GitSSH == "" {
		l.GitSSH = "ssh://git@" + domain + "/"
	}
	return l
}

// appURL is where app answers: its default host, <app>.<domain>.
func (d *Dashboard) appURL(app string) string {
	return d.links.HostURL(d.cfg.Engine.AppHost(app))
}

// pushSSH is the SSH push URL of app.
func (l Links) pushSSH(app string) string { return l.GitSSH + app + ".git" }

// pushHTTPS is the HTTPS push URL of app, on the control host.
func (l Links) pushHTTPS(app string) string {
	return strings.TrimSuffix(l.Control, "/") + "/" + app + ".git"
}
