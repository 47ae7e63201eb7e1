package api

import "time"

// App is an application as the API shows it.
type App struct {
	Name           string         `json:"name"`
	URL            string         `json:"url"`
	State          string         `json:"state"`
	DeployBranch   string         `json:"deploy_branch"`
	CurrentRelease int            `json:"current_release"`
	ConfigVersion  int            `json:"config_version"`
	Health         HealthCheck    `json:"health"`
	Scale          map[string]int `json:"scale"`
	Builder        string         `json:"builder,omitempty"`
	Edge           Edge           `json:"edge"`
	CreatedAt      time.Time      `json:"created_at"`
	CreatedBy      string         `json:"created_by"`
	// PreviewOf is the app this one is a preview of (absent for an
	// ordinary app).
	PreviewOf string `json:"preview_of,omitempty"`
}

// AppList is a page of apps, by name. NextAfter, when set, fetches the
// next page (?after=).
type AppList struct {
	Apps      []App  `json:"apps"`
	NextAfter string `json:"next_after,omitempty"`
}

// CreateApp is the body of POST /apps.
type CreateApp struct {
	Name string `json:"name"`
}

// UpdateApp is the body of PATCH /apps/{app}; absent fields stay as they are.
type UpdateApp struct {
	DeployBranch *string      `json:"deploy_branch,omitempty"`
	Health       *HealthCheck `json:"health,omitempty"`
	// Builder sets the app's buildpack builder image; "" returns to the
	// server's default.
	Builder *string `json:"builder,omitempty"`
}

// HealthCheck says how releases are checked and drained. Zero values in a
// request mean "keep the current value".
type HealthCheck struct {
	Path                  string  `json:"path"`
	TimeoutSeconds        float64 `json:"timeout_seconds"`
	DrainSeconds          float64 `json:"drain_seconds"`
	ReleaseTimeoutSeconds float64 `json:"release_timeout_seconds"`
}

// Release is one numbered release.
type Release struct {
	Number        int    `json:"number"`
	Current       bool   `json:"current"`
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Description   string `json:"description"`
	Image         string `json:"image"`
	Port          int    `json:"port"`
	BuildMethod   string `json:"build_method,omitempty"`
	Commit        string `json:"commit,omitempty"`
	Author        string `json:"author"`
	ConfigVersion int    `json:"config_version"`
	RollbackOf    int    `json:"rollback_of,omitempty"`
	// PromotedFrom and PromotedRelease name the app (or preview) and
	// release whose image a promotion (kind "promote") released.
	PromotedFrom    string     `json:"promoted_from,omitempty"`
	PromotedRelease int        `json:"promoted_release,omitempty"`
	Error           string     `json:"error,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
	DurationMS      int64      `json:"duration_ms,omitempty"`
}

// Edge is how the proxy treats an app's requests.
type Edge struct {
	HTTPSRedirect bool   `json:"https_redirect"`
	HSTS          bool   `json:"hsts"`
	BasicAuthUser string `json:"basic_auth_user,omitempty"`
	Maintenance   bool   `json:"maintenance"`
	// CustomMaintenancePage says whether the app has its own maintenance page.
	CustomMaintenancePage bool `json:"custom_maintenance_page"`
}

// EdgeChange is the body of PATCH /apps/{app}/edge; absent fields stay.
type EdgeChange struct {
	HTTPSRedirect   *bool   `json:"https_redirect,omitempty"`
	HSTS            *bool   `json:"hsts,omitempty"`
	Maintenance     *bool   `json:"maintenance,omitempty"`
	MaintenancePage *string `json:"maintenance_page,omitempty"`
}

// BasicAuth is the body of PUT /apps/{app}/basic-auth.
type BasicAuth struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// Domain is one host of an app with its certificate.
type Domain struct {
	Host    string      `json:"host"`
	Default bool        `json:"default"`
	Cert    Certificate `json:"certificate"`
}

// Certificate is the state of a host's TLS certificate.
type Certificate struct {
	State       string     `json:"state"`
	Issuer      string     `json:"issuer,omitempty"`
	NotAfter    *time.Time `json:"not_after,omitempty"`
	RenewAt     *time.Time `json:"renew_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
}

// DomainList lists an app's hosts.
type DomainList struct {
	Domains []Domain `json:"domains"`
}

// AddDomain is the body of POST /apps/{app}/domains.
type AddDomain struct {
	Host string `json:"host"`
}

// Event is one thing that happened to an app.
type Event struct {
	ID      int64     `json:"id"`
	App     string    `json:"app"`
	Kind    string    `json:"kind"`
	Release int       `json:"release,omitempty"`
	Process string    `json:"process,omitempty"`
	Message string    `json:"message"`
	Actor   string    `json:"actor,omitempty"`
	Time    time.Time `json:"time"`
}

// EventList is a page of events, newest first; NextBefore pages on.
type EventList struct {
	Events     []Event `json:"events"`
	NextBefore int64   `json:"next_before,omitempty"`
}

// ReleaseOutput is what a release printed while it was built and deployed.
type ReleaseOutput struct {
	Output string `json:"output"`
}

// LogLine is one line of an app's logs.
type LogLine struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Process string    `json:"process"`
	Replica int       `json:"replica,omitempty"`
	Release int       `json:"release,omitempty"`
	Stream  string    `json:"stream"`
	Text    string    `json:"text"`
}

// LogList is an app's log history, oldest first.
type LogList struct {
	Lines []LogLine `json:"lines"`
}

// LogEvent is one message of a followed log: a line, a count of lines the
// follower missed because it was too slow, or a heartbeat.
type LogEvent struct {
	Type   string   `json:"type"` // "line", "missed", "heartbeat", "error"
	Line   *LogLine `json:"line,omitempty"`
	Missed int      `json:"missed,omitempty"`
	// Error says why the server ended the stream ("error", the last event),
	// such as the account being disabled.
	Error *Error `json:"error,omitempty"`
}

// Process is one running (or restarting) container of an app.
type Process struct {
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Replica   int       `json:"replica"`
	Release   int       `json:"release"`
	State     string    `json:"state"`
	Restarts  int       `json:"restarts"`
	StartedAt time.Time `json:"started_at"`
	// Node is the cluster node the replica runs on; absent outside a
	// cluster (it runs on this server).
	Node string `json:"node,omitempty"`
	// MemoryBytes and CPUPercent are what the container used at the last
	// sample (every 10 s); absent when unknown. CPUPercent 100 is one CPU.
	MemoryBytes *uint64  `json:"memory_bytes,omitempty"`
	CPUPercent  *float64 `json:"cpu_percent,omitempty"`
	// MemoryLimitBytes and CPULimit are the limits the container runs
	// with; 0 is none.
	MemoryLimitBytes int64   `json:"memory_limit_bytes"`
	CPULimit         float64 `json:"cpu_limit"`
}

// ProcessList lists an app's containers with its scale and the limits of
// each process type.
type ProcessList struct {
	Processes []Process         `json:"processes"`
	Scale     map[string]int    `json:"scale"`
	Limits    map[string]Limits `json:"limits"`
}

// Limits are what each container of a process type may use.
type Limits struct {
	// MemoryBytes is the memory limit (no swap beyond it); 0 is none.
	MemoryBytes int64 `json:"memory_bytes"`
	// CPUs is the CPU limit in CPUs (0.5 is half of one); 0 is none.
	CPUs float64 `json:"cpus"`
	// Pids caps the processes and threads; 0 is none.
	Pids int64 `json:"pids"`
	// Defaults names the limits ("memory", "cpus", "pids") that are the
	// server's defaults rather than the app's own.
	Defaults []string `json:"defaults"`
}

// LimitsChange is the body of PATCH /apps/{app}/limits: limits of one
// process type, key ("memory", "cpus", "pids") -> value ("512M", "1",
// "256", or "default" for the server's default).
type LimitsChange struct {
	Process string            `json:"process"`
	Limits  map[string]string `json:"limits"`
}

// ScaleChange is the body of POST /apps/{app}/scale: process type -> count.
type ScaleChange map[string]int

// Run is the body of POST /apps/{app}/run.
type Run struct {
	Command []string `json:"command"`
}

// ReleaseList is a page of releases, newest first.
type ReleaseList struct {
	Releases []Release `json:"releases"`
}

// Config is an app's config version in effect. Values are masked unless
// they were asked for with reveal=true.
type Config struct {
	Version int               `json:"version"`
	Vars    map[string]string `json:"vars"`
	Masked  bool              `json:"masked"`
	// RuntimeOnly are the keys builds never see (sorted).
	RuntimeOnly []string `json:"runtime_only"`
}

// ConfigChange is the body of PATCH /apps/{app}/config.
type ConfigChange struct {
	Set   map[string]string `json:"set,omitempty"`
	Unset []string          `json:"unset,omitempty"`
	// ProductionOnly marks the keys Set sets as production-only: previews
	// never receive them.
	ProductionOnly bool `json:"production_only,omitempty"`
	// Previews changes the config new previews start with (on top of the
	// app's), not the app's own; it makes no release.
	Previews bool `json:"previews,omitempty"`
	// RuntimeOnly, when given, marks the keys of Set runtime-only (true:
	// builds never see them) or visible to builds (false); absent keeps the
	// marks of keys already set, and new keys are visible to builds.
	RuntimeOnly *bool `json:"runtime_only,omitempty"`
}

// Rollback is the body of POST /apps/{app}/rollback; To 0 means the
// previous good release.
type Rollback struct {
	To int `json:"to,omitempty"`
}

// Restart names the process type whose containers are replaced.
type Restart struct {
	Process string `json:"process"`
}

// Promote is the body of POST /apps/{app}/promote: the app (or preview)
// whose current release's image the app releases, with its own config.
type Promote struct {
	From string `json:"from"`
}

// Key is an SSH public key allowed to push.
type Key struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	// Owner is whom the key pushes as: "user" (User, with their current
	// role), "server" (the server's owner, an admin) or "legacy" (stored
	// without an owner by an older version; acts as the server's owner).
	Owner     string    `json:"owner"`
	User      string    `json:"user,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// KeyList lists keys.
type KeyList struct {
	Keys []Key `json:"keys"`
}

// AddKey is the body of POST /keys.
type AddKey struct {
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
	// User owns the key: the caller when empty. Only admins name another
	// user; only the control socket adds keys without a user, which act
	// as the server's owner.
	User string `json:"user,omitempty"`
}

// Status describes the server.
type Status struct {
	Version string `json:"version"`
	Domain  string `json:"domain"`
	// GitURL is the prefix of push URLs ("ssh://git@host:2222/").
	GitURL string `json:"git_url"`
	// Instance labels every Docker object this server owns.
	Instance string `json:"instance"`
}

// Error is the one error shape of the API.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Stream event types. Long operations (deploys) answer with newline-delimited
// JSON events: any number of "output" events, then one "result" or "error".
const (
	EventOutput = "output"
	EventResult = "result"
	EventError  = "error"
)

// StreamEvent is one line of a streamed answer.
type StreamEvent struct {
	Type    string   `json:"type"`
	Text    string   `json:"text,omitempty"`
	Release *Release `json:"release,omitempty"`
	Error   *Error   `json:"error,omitempty"`
	// ExitCode is the exit code of a one-off run, in its result event.
	ExitCode *int `json:"exit_code,omitempty"`
	// App is the app after a change of scale, in its result event.
	App *App `json:"app,omitempty"`
	// Limits are a process type's limits after a change, in its result event.
	Limits *Limits `json:"limits,omitempty"`
	// Addon is the add-on made or changed, in its result event.
	Addon *Addon `json:"addon,omitempty"`
}

// StreamContentType is the media type of streamed answers.
const StreamContentType = "application/x-ndjson"
