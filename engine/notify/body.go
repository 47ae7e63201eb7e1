package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quayside/quayside/engine"
)

// KindTest is the event kind of the notification Test sends.
const KindTest = "alerts.test"

// maxSlackMessage caps the event message quoted in a Slack text, in runes.
const maxSlackMessage = 500

// Payload is the body posted to a FormatJSON target: one alert.
type Payload struct {
	// Event is the event kind, e.g. "deploy.failed" (engine.Event* or
	// KindTest).
	Event string `json:"event"`
	// App is "" for server events such as "server.disk_low".
	App string `json:"app"`
	// Release is the release number the event concerns, 0 when none.
	Release int `json:"release"`
	// Process is "web.1"-style when the event concerns one container.
	Process string `json:"process"`
	Message string `json:"message"`
	// Time is RFC 3339 in UTC.
	Time string `json:"time"`
	// Server is Config.ServerName.
	Server string `json:"server"`
	// URL links to the app (or the server) under Config.BaseURL; omitted
	// when no BaseURL is set.
	URL string `json:"url,omitempty"`
}

// slackBody is the body posted to a FormatSlack target.
type slackBody struct {
	Text string `json:"text"`
}

// render returns the body of ev for a target of the given format.
func (n *Notifier) render(format string, ev engine.Event) ([]byte, error) {
	link := n.link(ev.App)
	switch format {
	case FormatJSON:
		return json.Marshal(n.payload(ev, link))
	case FormatSlack:
		return json.Marshal(slackBody{Text: slackText(ev, n.cfg.ServerName, link)})
	}
	return nil, fmt.Errorf("render alert: unknown format %q", format)
}

func (n *Notifier) payload(ev engine.Event, link string) Payload {
	return Payload{
		Event: ev.Kind, App: ev.App, Release: ev.Release, Process: ev.Process,
		Message: ev.Message, Time: ev.Time.UTC().Format(time.RFC3339),
		Server: n.cfg.ServerName, URL: link,
	}
}

// link is where a reader of the alert can look further: BaseURL/apps/<app>
// for an app's event, BaseURL for a server event, "" without a BaseURL.
func (n *Notifier) link(app string) string {
	base := strings.TrimRight(n.cfg.BaseURL, "/")
	if base == "" || app == "" {
		return base
	}
	return base + "/apps/" + url.PathEscape(app)
}

// slackText is the one-line, escaped Slack message for ev.
func slackText(ev engine.Event, server, link string) string {
	text := slackSentence(ev, slackEscape(server))
	if msg := slackEscape(shorten(ev.Message, maxSlackMessage)); msg != "" {
		text += ": " + msg
	}
	if link != "" {
		text += " <" + slackEscape(link) + "|details>"
	}
	return text
}

// slackSentence says what happened, without the event's message.
func slackSentence(ev engine.Event, server string) string {
	app := slackEscape(ev.App)
	switch ev.Kind {
	case engine.EventDeployFailed:
		return ":x: deploy of " + app + release(ev.Release) + " failed"
	case engine.EventCrashLooping:
		return ":rotating_light: " + app + process(ev.Process) + " is crash-looping"
	case engine.EventOutOfMemory:
		return ":boom: " + app + process(ev.Process) + " ran out of memory"
	case engine.EventDiskLow:
		return ":warning: disk space low" + on(server)
	case engine.EventCertificateFailing:
		return ":lock: certificate renewal failing" + forApp(app) + on(server)
	case engine.EventCronFailed:
		return ":x: scheduled job " + slackEscape(strings.TrimPrefix(ev.Process, "cron.")) + forApp(app) + " failed"
	case engine.EventCronMissed:
		return ":hourglass: scheduled job " + slackEscape(strings.TrimPrefix(ev.Process, "cron.")) + forApp(app) + " missed its time"
	case KindTest:
		return ":wave: test notification from Quayside" + on(server)
	}
	return slackEscape(ev.Kind) + forApp(app)
}

func release(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" v%d", n)
}

func process(p string) string {
	if p == "" {
		return ""
	}
	return " " + slackEscape(p)
}

func on(server string) string {
	if server == "" {
		return ""
	}
	return " on " + server
}

func forApp(app string) string {
	if app == "" {
		return ""
	}
	return " for " + app
}

// slackEscaper escapes the three characters Slack gives meaning to in
// message text, so user content cannot make links or mentions.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackEscape(s string) string { return slackEscaper.Replace(s) }

// shorten cuts s to its first line and at most n runes.
func shorten(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
