// Package dashboard is Quayside's web dashboard, served on the control host
// beside the API. Its pages are rendered on the server with html/template
// and work without JavaScript (live logs, a deploy's live output and the
// apps overview's refresh need it; without it a reload does); every URL
// they print comes from Links, the server's real addresses. One small CSS file
// and one small script, embedded in the binary, are all it loads: no CDN,
// no external URL. Charts are inline SVG drawn on the server.
//
// It sits in ui: it reads and changes everything through *engine.Engine and
// *engine.Accounts with the identity ui/auth puts on each request, so the
// engine decides what each role may do; the dashboard only hides controls a
// role cannot use. Every page carries a strict Content-Security-Policy, and
// text that comes from apps (log lines, config values, commit messages) is
// always escaped.
package dashboard
