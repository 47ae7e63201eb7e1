// Package notify sends Quayside's alerts to webhooks and watches disk space.
//
// It is an adapter of the engine: a *Notifier implements engine.EventSink,
// so cmd/quayside adds it to engine.Config.Sinks and the engine tells it
// about every event. These kinds alert: engine.EventDeployFailed,
// engine.EventCrashLooping, engine.EventOutOfMemory, engine.EventDiskLow,
// engine.EventCertificateFailing, engine.EventCronFailed and
// engine.EventCronMissed; the rest are ignored.
//
// Flow: Event puts the event on a bounded queue and returns at once (a full
// queue drops the event, counts it and logs a warning). Run's dispatcher
// looks up the targets of the event's app (Config.Targets: the server-wide
// targets plus the app's), renders one body per target (Payload for "json",
// {"text": ...} for "slack") and hands it to that target's worker. Each
// target has its own worker and bounded queue, so a slow or failing
// receiver never delays the others; a worker retries 408, 429, 5xx and
// network errors along Config.Retry with jitter, honouring Retry-After up
// to 10 minutes, and gives up at once on other statuses.
//
// Webhook URLs are secrets (a Slack URL is its own credential): logs and
// errors name the host only, and never quote a receiver's answer.
//
// Every delivery dials through an internal/egress Policy (Config.Egress):
// loopback, private, link-local and the server's own addresses are refused
// on the resolved address, so a webhook cannot be used to reach this server
// or the networks behind it unless an admin allowed the range
// (--allow-webhook-to). Redirects are not followed.
//
// DiskWatcher (disk.go) checks the free space of a few paths every minute
// and reports engine.EventDiskLow once each time use crosses a threshold;
// cmd/quayside passes engine.Engine.Report as its report func, so the alert
// is stored, shown and sent like any other event.
package notify
