package engine

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// App states.
const (
	AppActive     = "active"     // normal state
	AppDestroying = "destroying" // destroy in progress: pushes and changes are refused
)

// MaxAppNameLen caps app names so that <app>.<domain> stays a short, valid
// host name and derived Docker names stay readable.
const MaxAppNameLen = 30

// DefaultDeployBranch is the branch a push must target unless the app says otherwise.
const DefaultDeployBranch = "main"

// App is a deployable application: a git repository, a sequence of releases,
// and a host name <name>.<domain> that routes to its current release.
type App struct {
	Name         string
	DeployBranch string
	State        string
	// CurrentRelease is the number of the release that serves traffic, 0 if none.
	CurrentRelease int
	// ConfigVersion is the config version in effect (that of the current
	// release, or the latest one set before any release existed), 0 if none.
	ConfigVersion int
	Health        HealthCheck
	// Scale says how many containers of each process type run; it survives
	// deploys and rollbacks. A type it does not name runs DefaultScale's count.
	Scale Scale
	// Builder is the buildpack builder image for this app; "" means the
	// server's default.
	Builder string
	// Edge is how the proxy treats the app's requests.
	Edge      Edge
	CreatedAt time.Time
	CreatedBy string
	// PreviewOf is the app this one is a preview of, "" for an ordinary
	// app. It is not stored with the app: FindApp and ListApps fill it in
	// from the previews.
	PreviewOf string
}

// HealthCheck says how a new release proves it is ready for traffic and how
// long an old one may keep finishing requests.
type HealthCheck struct {
	// Path is requested with GET; any answer below 500 counts as healthy.
	Path string
	// Timeout is how long a new release may take to become healthy.
	Timeout time.Duration
	// DrainTimeout is how long in-flight requests on the old release may run
	// after the switch before it is stopped anyway.
	DrainTimeout time.Duration
	// ReleaseTimeout is how long the release process may run.
	ReleaseTimeout time.Duration
}

// Health check defaults and limits.
const (
	DefaultHealthPath     = "/"
	DefaultHealthTimeout  = 60 * time.Second
	DefaultDrainTimeout   = 30 * time.Second
	DefaultReleaseTimeout = 10 * time.Minute
	MaxReleaseTimeout     = time.Hour
	MaxHealthTimeout      = 15 * time.Minute
	MaxDrainTimeout       = 15 * time.Minute
)

// WithDefaults returns h with zero fields replaced by the defaults.
func (h HealthCheck) WithDefaults() HealthCheck {
	if h.Path == "" {
		h.Path = DefaultHealthPath
	}
	if h.Timeout == 0 {
		h.Timeout = DefaultHealthTimeout
	}
	if h.DrainTimeout == 0 {
		h.DrainTimeout = DefaultDrainTimeout
	}
	if h.ReleaseTimeout == 0 {
		h.ReleaseTimeout = DefaultReleaseTimeout
	}
	return h
}

// Validate reports what is wrong with h, if anything.
func (h HealthCheck) Validate() error {
	if h.Path != "" && (h.Path[0] != '/' || len(h.Path) > 512 || !healthPathRe.MatchString(h.Path)) {
		return FieldError("path", "health check path %q must start with / and contain only URL path characters (at most 512)", h.Path)
	}
	if h.Timeout < 0 || h.Timeout > MaxHealthTimeout {
		return FieldError("timeout", "health check timeout must be between 1s and %s", MaxHealthTimeout)
	}
	if h.DrainTimeout < 0 || h.DrainTimeout > MaxDrainTimeout {
		return FieldError("drain", "drain timeout must be between 1s and %s", MaxDrainTimeout)
	}
	if h.ReleaseTimeout < 0 || h.ReleaseTimeout > MaxReleaseTimeout {
		return FieldError("release_timeout", "release timeout must be between 1s and %s", MaxReleaseTimeout)
	}
	return nil
}

var healthPathRe = regexp.MustCompile(`^/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$`)

var appNameRe = regexp.MustCompile(`^[a-z]([a-z0-9-]*[a-z0-9])?$`)

// reservedAppNames would collide with Quayside's own hosts or confuse users.
var reservedAppNames = map[string]bool{
	"quayside": true, "www": true, "api": true, "admin": true, "git": true,
	"ssh": true, "control": true, "dashboard": true, "console": true,
	"mail": true, "smtp": true, "ftp": true, "localhost": true, "status": true,
	"metrics": true, "registry": true, "ns1": true, "ns2": true, "root": true,
	"default": true, "docs": true, "help": true, "install": true, "static": true,
	"assets": true, "auth": true, "login": true,
}

// ValidateAppName reports whether name can be an app on domain: a DNS label
// of lowercase letters, digits and hyphens that starts with a letter, does
// not end with a hyphen, fits MaxAppNameLen and is not reserved.
func ValidateAppName(name, domain string) error {
	switch {
	case name == "":
		return FieldError("name", "app name is empty: use lowercase letters, digits and hyphens, starting with a letter")
	case len(name) > MaxAppNameLen:
		return FieldError("name", "app name %q is %d characters long: the limit is %d", name, len(name), MaxAppNameLen)
	case !appNameRe.MatchString(name):
		return FieldError("name", "app name %q is not valid: use lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen", name)
	case reservedAppNames[name]:
		return FieldError("name", "app name %q is reserved: choose another name", name)
	case domain != "" && len(name)+1+len(domain) > 253:
		return FieldError("name", "app name %q is too long for the domain %q", name, domain)
	}
	return nil
}

// AppStore persists apps. Implementations return *Error with ENOTFOUND for
// a missing app and ECONFLICT for a name that is taken.
type AppStore interface {
	// CreateApp stores a new app and sets its CreatedAt.
	CreateApp(ctx context.Context, app *App) error
	// FindApp returns the app with the given name.
	FindApp(ctx context.Context, name string) (*App, error)
	// ListApps returns all apps ordered by name.
	ListApps(ctx context.Context) ([]*App, error)
	// UpdateApp writes DeployBranch, State, Health, Scale, Builder and Edge. CurrentRelease and
	// ConfigVersion change only through ActivateRelease and SetAppConfigVersion.
	UpdateApp(ctx context.Context, app *App) error
	// DeleteApp removes the app with its releases and config versions.
	DeleteApp(ctx context.Context, name string) error
}

// ValidateNewAppName is ValidateAppName for a name that is not taken yet:
// it may not contain PreviewSeparator, which only previews' names have.
// Apps created before the rule keep their names.
func ValidateNewAppName(name, domain string) error {
	if err := ValidateAppName(name, domain); err != nil {
		return err
	}
	if strings.Contains(name, PreviewSeparator) {
		return FieldError("name", "app name %q contains %q, which only preview names have: use single hyphens", name, PreviewSeparator)
	}
	return nil
}

var branchRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)

// ValidateBranchName reports whether branch is a plain git branch name.
func ValidateBranchName(branch string) error {
	if !branchRe.MatchString(branch) || strings.Contains(branch, "..") || strings.Contains(branch, "//") ||
		strings.HasSuffix(branch, "/") || strings.HasSuffix(branch, ".lock") || strings.HasSuffix(branch, ".") {
		return FieldError("branch", "%q is not a valid branch name", branch)
	}
	return nil
}
