package engine

import (
	"context"
	"io"
	"regexp"
	"strings"
	"time"
)

// Add-on kinds.
const (
	AddonPostgres = "postgres"
	AddonRedis    = "redis"
)

// Limits and defaults of add-ons.
const (
	// MaxAddonsPerApp is how many add-ons one app may own.
	MaxAddonsPerApp = 10
	// DefaultAddonMemory caps an add-on's memory unless --memory says otherwise.
	DefaultAddonMemory = 512 << 20
	// DefaultAddonKeep is how many scheduled backups an add-on keeps.
	DefaultAddonKeep = 7
	// MaxAddonKeep bounds --keep.
	MaxAddonKeep = 365
)

// AddonKind is what Quayside knows about one kind of add-on.
type AddonKind struct {
	Name string
	// DefaultVersion is the version created when none is given.
	DefaultVersion string
	// Versions are the major versions that may be created.
	Versions []string
	// PrimaryVar is the config variable of an app's primary add-on of
	// this kind (DATABASE_URL, REDIS_URL).
	PrimaryVar string
	// DefaultName names the first add-on of this kind of an app.
	DefaultName string
	Port        int
	// DataDir is where the volume is mounted in the container.
	DataDir string
}

// AddonKinds are the kinds of add-on Quayside runs.
var AddonKinds = map[string]AddonKind{
	AddonPostgres: {Name: AddonPostgres, DefaultVersion: "15", Versions: []string{"13", "14", "15", "16", "17"},
		PrimaryVar: "DATABASE_URL", DefaultName: "db", Port: 5432, DataDir: "/var/lib/postgresql/data"},
	AddonRedis: {Name: AddonRedis, DefaultVersion: "7", Versions: []string{"6", "7"},
		PrimaryVar: "REDIS_URL", DefaultName: "redis", Port: 6379, DataDir: "/data"},
}

// Addon is a database service (Postgres or Redis) owned by one app, run
// in its own container on the networks of the apps attached to it, with
// its data in a named volume that only an explicit destroy removes.
type Addon struct {
	// App owns the add-on; Name is unique among the app's add-ons.
	App  string
	Name string
	Kind string
	// Version is the major version ("15"); Image the image it runs.
	Version string
	Image   string
	// MemoryBytes caps the container's memory.
	MemoryBytes int64
	// User and Database are the Postgres role and database (empty for Redis).
	User     string
	Database string
	// Password is the generated secret; stored encrypted, never shown to
	// those who may not reveal the owner's config.
	Password string
	// Volume holds the data; OldVolumes are volumes of versions before a
	// major upgrade, kept until removed.
	Volume     string
	OldVolumes []string
	// ExposeAddr is the host address the add-on is published on, "" for none.
	ExposeAddr string
	// Keep is how many daily backups are kept; 0 means no daily backup.
	Keep int
	// LastBackup is when the newest backup was taken (zero: never).
	LastBackup  time.Time
	Attachments []AddonAttachment
	CreatedBy   string
	CreatedAt   time.Time
}

// AddonAttachment gives one app an add-on's URL in config variable Var.
type AddonAttachment struct {
	App string
	Var string
}

// Host is the name the add-on answers at on each attached app's network.
func (a *Addon) Host() string { return AddonHost(a.App, a.Name) }

// AddonHost is the network alias of add-on name of app.
func AddonHost(app, name string) string { return "addon-" + app + "-" + name }

// URL is the connection URL the attached apps get.
func (a *Addon) URL() string {
	k := AddonKinds[a.Kind]
	if a.Kind == AddonRedis {
		return "redis://:" + a.Password + "@" + a.Host() + ":" + itoa(k.Port)
	}
	return "postgres://" + a.User + ":" + a.Password + "@" + a.Host() + ":" + itoa(k.Port) + "/" + a.Database + "?sslmode=disable"
}

// Ref is "app/name", the way other apps name the add-on.
func (a *Addon) Ref() string { return a.App + "/" + a.Name }

// VarOf returns the variable app gets the URL in, or "" if it is not attached.
func (a *Addon) VarOf(app string) string {
	for _, at := range a.Attachments {
		if at.App == app {
			return at.Var
		}
	}
	return ""
}

// DumpSpec is how the runtime reaches this add-on's data in container id.
func (a *Addon) DumpSpec(container string) AddonDumpSpec {
	return AddonDumpSpec{Kind: a.Kind, Container: container, Database: a.Database, User: a.User, Password: a.Password}
}

// AddonStore persists add-ons. Passwords are secrets: implementations
// must encrypt them at rest, as config is.
type AddonStore interface {
	// CreateAddon stores a with its attachments and sets CreatedAt: ECONFLICT
	// when the app has an add-on of that name or one of the attachment
	// variables is taken, EINVALID when the app owns MaxAddonsPerApp already.
	CreateAddon(ctx context.Context, a *Addon) error
	// FindAddon returns an add-on of app; ENOTFOUND if there is none.
	FindAddon(ctx context.Context, app, name string) (*Addon, error)
	// ListAddons returns the add-ons app owns or is attached to (all of
	// them when app is ""), ordered by owner and name.
	ListAddons(ctx context.Context, app string) ([]*Addon, error)
	// UpdateAddon saves the fields of each add-on and replaces their
	// attachments, all at once (two add-ons may swap variables).
	UpdateAddon(ctx context.Context, list ...*Addon) error
	// DeleteAddon removes the add-on and its attachments.
	DeleteAddon(ctx context.Context, app, name string) error
}

// AddonSpec describes the container of one add-on.
type AddonSpec struct {
	App, Name, Kind string
	Image           string
	// Volume is mounted at DataDir; it is created when missing and never
	// emptied or replaced.
	Volume  string
	DataDir string
	// Host is the alias the container answers at on every network.
	Host string
	Env  map[string]string
	// Cmd overrides the image's command when not nil.
	Cmd         []string
	Port        int
	MemoryBytes int64
	// Networks are the apps whose networks the container joins.
	Networks []string
	// ExposeAddr, when not "", publishes Port there ("IP:PORT").
	ExposeAddr string
}

// AddonContainer is an add-on's container as last inspected.
type AddonContainer struct {
	ID      string
	Image   string
	State   string
	Running bool
	// Networks are the apps whose networks it is on.
	Networks  []string
	StartedAt time.Time
	// MemoryBytes is what it uses now (0 when not running).
	MemoryBytes int64
	// NewVolume is true when StartAddon had to create the data volume: the
	// add-on starts empty.
	NewVolume bool
}

// AddonRuntime runs add-on containers. They are not app processes:
// Containers, Events and garbage collection never see them, and their
// volumes are never collected.
type AddonRuntime interface {
	// StartAddon replaces any container of the add-on with one made from
	// spec, restarting unless stopped, and starts it.
	StartAddon(ctx context.Context, spec AddonSpec) (*AddonContainer, error)
	// InspectAddon returns the add-on's container; ENOTFOUND when none.
	InspectAddon(ctx context.Context, app, name string) (*AddonContainer, error)
	// ConnectAddon puts the add-on's container on app's network (made if
	// missing); DisconnectAddon takes it off. Both are idempotent.
	ConnectAddon(ctx context.Context, owner, name, app string) error
	DisconnectAddon(ctx context.Context, owner, name, app string) error
	// RemoveAddon removes the add-on's container and, when given, volumes.
	RemoveAddon(ctx context.Context, app, name string, volumes ...string) error
	// RemoveAddonVolume removes one volume of the add-on that no container
	// uses (ECONFLICT when one does); a missing volume is not an error.
	RemoveAddonVolume(ctx context.Context, app, name, volume string) error
	// ExecAddon runs cmd in the add-on's running container with stdin
	// (may be nil) and returns its exit code; output goes to out.
	ExecAddon(ctx context.Context, app, name string, cmd []string, stdin io.Reader, out io.Writer) (int, error)
	// AddonLogs returns up to the last n lines the container printed.
	AddonLogs(ctx context.Context, app, name string, n int) (string, error)
	// VolumeSize is the size on disk of volume (0 when unknown).
	VolumeSize(ctx context.Context, volume string) (int64, error)
	// HasImage reports whether the image is in the daemon, pulling it
	// first when pull is true (bounded by ctx).
	HasImage(ctx context.Context, ref string, pull bool) (bool, error)
}

// AddonDumpSpec names one add-on container and how to reach its data from
// inside it (see AddonDumper).
type AddonDumpSpec struct {
	Kind      string // "postgres" or "redis"
	Container string // container ID or name
	Database  string // postgres: the database to dump/restore
	User      string // postgres: the owner role
	Password  string // redis: the requirepass password
}

// AddonDumper makes and restores backups of add-on data.
type AddonDumper interface {
	// DumpAddon streams a backup to w: postgres `pg_dump -Fc`, redis an
	// RDB snapshot.
	DumpAddon(ctx context.Context, spec AddonDumpSpec, w io.Writer) error
	// RestoreAddon replaces the add-on's data with the backup read from rd.
	RestoreAddon(ctx context.Context, spec AddonDumpSpec, rd io.Reader) error
}

var addonNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)

// ValidateAddonName reports whether name can name an add-on: it becomes
// part of Docker names, file paths and a config variable.
func ValidateAddonName(name string) error {
	if !addonNameRe.MatchString(name) || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return FieldError("name", "add-on name %q is not valid: use up to 20 lowercase letters, digits and single hyphens, starting with a letter, as in db or cache-2", clipText(name, 40))
	}
	return nil
}

// addonKind returns the kind named k and checks version against it
// (version "" means the default), returning the version to use.
func addonKind(k, version string) (AddonKind, string, error) {
	kind, ok := AddonKinds[k]
	if !ok {
		return kind, "", FieldError("kind", "unknown add-on kind %q: use postgres or redis", clipText(k, 40))
	}
	if version == "" {
		return kind, kind.DefaultVersion, nil
	}
	for _, v := range kind.Versions {
		if v == version {
			return kind, v, nil
		}
	}
	return kind, "", FieldError("version", "%s version %q is not offered: use one of %s", k, clipText(version, 20), strings.Join(kind.Versions, ", "))
}

// namedVar is the variable of a non-primary add-on: DB2 gives DB2_URL.
func namedVar(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_URL"
}
