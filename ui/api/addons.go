package api

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Addon is a database service (Postgres or Redis) of an app. URL is only
// filled in when asked for (?reveal=true) by a caller who may read the
// owner's config values.
type Addon struct {
	App     string `json:"app"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
	Image   string `json:"image"`
	// State is the container's state (running, exited, ...), "missing"
	// when it has none.
	State   string `json:"state"`
	Running bool   `json:"running"`
	// MemoryLimitBytes caps its memory; MemoryBytes is what it uses now.
	MemoryLimitBytes int64 `json:"memory_limit_bytes"`
	MemoryBytes      int64 `json:"memory_bytes"`
	// SizeBytes is the size of its data volume on disk.
	SizeBytes int64 `json:"size_bytes"`
	// Host is where attached apps reach it, on their own network.
	Host        string            `json:"host"`
	URL         string            `json:"url,omitempty"`
	Attachments []AddonAttachment `json:"attachments"`
	// Keep is how many daily backups it keeps (0: no daily backups).
	Keep       int        `json:"keep"`
	LastBackup *time.Time `json:"last_backup,omitempty"`
	ExposeAddr string     `json:"expose_addr,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// AddonAttachment is an app that gets the add-on's URL, in Var.
type AddonAttachment struct {
	App string `json:"app"`
	Var string `json:"var"`
}

// AddonList is the body of GET /apps/{app}/addons.
type AddonList struct {
	Addons []Addon `json:"addons"`
}

// CreateAddon is the body of POST /apps/{app}/addons.
type CreateAddon struct {
	Kind    string `json:"kind"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// Memory is a size such as 512M.
	Memory string `json:"memory,omitempty"`
}

// ChangeAddon is the body of PATCH /apps/{app}/addons/{addon}.
type ChangeAddon struct {
	Keep *int `json:"keep,omitempty"`
}

// AttachAddon is the body of POST /apps/{app}/attachments.
type AttachAddon struct {
	// Addon is "owner/name".
	Addon string `json:"addon"`
}

// RestoreAddon is the body of POST /apps/{app}/addons/{addon}/restore.
type RestoreAddon struct {
	Backup string `json:"backup"`
	// Confirm must be the add-on's name: the live data is replaced.
	Confirm string `json:"confirm"`
}

// RestoreAddonInto is the body of POST
// /apps/{app}/addons/{addon}/restore-into.
type RestoreAddonInto struct {
	Backup string `json:"backup"`
	// Into names the new add-on the backup is restored into.
	Into string `json:"into"`
}

// AddonBackup is one backup file of an add-on.
type AddonBackup struct {
	Name      string    `json:"name"`
	Label     string    `json:"label"`
	SizeBytes int64     `json:"size_bytes"`
	CreatedAt time.Time `json:"created_at"`
}

// AddonBackupList is the body of GET /apps/{app}/addons/{addon}/backups.
type AddonBackupList struct {
	Backups []AddonBackup `json:"backups"`
}

// AddonLogs is the body of GET /apps/{app}/addons/{addon}/logs.
type AddonLogs struct {
	Text string `json:"text"`
}

func addonPath(app, name, rest string) string {
	return appPath(app, "/addons/"+url.PathEscape(name)+rest)
}

// Addons lists the add-ons app owns or is attached to.
func (c *Client) Addons(ctx context.Context, app string) ([]Addon, error) {
	var l AddonList
	return l.Addons, c.do(ctx, http.MethodGet, appPath(app, "/addons"), nil, &l)
}

// Addon shows one add-on of app; reveal includes its URL.
func (c *Client) Addon(ctx context.Context, app, name string, reveal bool) (*Addon, error) {
	var a Addon
	path := addonPath(app, name, "")
	if reveal {
		path += "?reveal=true"
	}
	return &a, c.do(ctx, http.MethodGet, path, nil, &a)
}

// CreateAddon creates an add-on, streaming its progress and the config
// release to w.
func (c *Client) CreateAddon(ctx context.Context, app string, in CreateAddon, w io.Writer) (*Addon, error) {
	ev, err := c.stream(ctx, http.MethodPost, appPath(app, "/addons"), in, w)
	if err != nil {
		return nil, err
	}
	return ev.Addon, nil
}

// DestroyAddon destroys an add-on; noBackup skips the final backup.
func (c *Client) DestroyAddon(ctx context.Context, app, name, confirm string, noBackup bool, w io.Writer) error {
	q := url.Values{"confirm": {confirm}}
	if noBackup {
		q.Set("no_backup", "true")
	}
	_, err := c.stream(ctx, http.MethodDelete, addonPath(app, name, "?"+q.Encode()), nil, w)
	return err
}

// ChangeAddon changes an add-on's settings.
func (c *Client) ChangeAddon(ctx context.Context, app, name string, in ChangeAddon) (*Addon, error) {
	var a Addon
	return &a, c.do(ctx, http.MethodPatch, addonPath(app, name, ""), in, &a)
}

// PromoteAddon makes add-on ref ("name" or "owner/name") app's primary one.
func (c *Client) PromoteAddon(ctx context.Context, app, ref string, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, appPath(app, "/attachments/promote"), AttachAddon{Addon: ref}, w)
	return err
}

// AttachAddon gives app the URL of add-on ref ("owner/name").
func (c *Client) AttachAddon(ctx context.Context, app, ref string, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, appPath(app, "/attachments"), AttachAddon{Addon: ref}, w)
	return err
}

// DetachAddon takes the URL of add-on ref ("owner/name") from app.
func (c *Client) DetachAddon(ctx context.Context, app, ref string, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, appPath(app, "/attachments/detach"), AttachAddon{Addon: ref}, w)
	return err
}

// AddonLogs returns the last lines an add-on printed.
func (c *Client) AddonLogs(ctx context.Context, app, name string, lines int) (string, error) {
	var l AddonLogs
	return l.Text, c.do(ctx, http.MethodGet, addonPath(app, name, "/logs?lines="+strconv.Itoa(lines)), nil, &l)
}

// AddonBackups lists an add-on's backups, newest first.
func (c *Client) AddonBackups(ctx context.Context, app, name string) ([]AddonBackup, error) {
	var l AddonBackupList
	return l.Backups, c.do(ctx, http.MethodGet, addonPath(app, name, "/backups"), nil, &l)
}

// BackupAddon takes a backup of an add-on now.
func (c *Client) BackupAddon(ctx context.Context, app, name string) (*AddonBackup, error) {
	var b AddonBackup
	return &b, c.do(ctx, http.MethodPost, addonPath(app, name, "/backups"), nil, &b)
}

// RestoreAddon replaces an add-on's live data with one of its backups.
func (c *Client) RestoreAddon(ctx context.Context, app, name string, in RestoreAddon, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, addonPath(app, name, "/restore"), in, w)
	return err
}

// DestroyAppWithAddons destroys an app and the add-ons it owns (each with
// a final backup unless noBackup).
func (c *Client) DestroyAppWithAddons(ctx context.Context, name, confirm string, noBackup bool) error {
	q := url.Values{"confirm": {confirm}, "with_addons": {"true"}}
	if noBackup {
		q.Set("no_backup", "true")
	}
	return c.do(ctx, http.MethodDelete, appPath(name, "?"+q.Encode()), nil, nil)
}

// AddonShell is the body of POST /apps/{app}/addons/{addon}/shell.
type AddonShell struct {
	// Input is fed to psql or redis-cli on standard input.
	Input string `json:"input"`
	// Args are redis-cli arguments (a command); psql takes none.
	Args []string `json:"args,omitempty"`
}

// AddonShell runs psql or redis-cli once in the add-on with in, streaming
// its output to w, and returns its exit code.
func (c *Client) AddonShell(ctx context.Context, app, name string, in AddonShell, w io.Writer) (int, error) {
	ev, err := c.stream(ctx, http.MethodPost, addonPath(app, name, "/shell"), in, w)
	if err != nil {
		return -1, err
	}
	if ev.ExitCode == nil {
		return 0, nil
	}
	return *ev.ExitCode, nil
}

// ExposeAddon is the body of POST /apps/{app}/addons/{addon}/expose.
type ExposeAddon struct {
	// To is "IP:PORT" on the host; "" publishes nothing again.
	To string `json:"to"`
	// Public allows an address that is not loopback.
	Public bool `json:"public,omitempty"`
}

// ExposeAddon publishes an add-on's port on the host (or stops, with "").
func (c *Client) ExposeAddon(ctx context.Context, app, name string, in ExposeAddon, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, addonPath(app, name, "/expose"), in, w)
	return err
}

// UpgradeAddon is the body of POST /apps/{app}/addons/{addon}/upgrade:
// Version moves the add-on to a newer major version; RemoveOld removes
// the volumes kept from earlier upgrades instead.
type UpgradeAddon struct {
	Version   string `json:"version,omitempty"`
	RemoveOld bool   `json:"remove_old,omitempty"`
}

// UpgradeAddon upgrades an add-on or removes its old volumes.
func (c *Client) UpgradeAddon(ctx context.Context, app, name string, in UpgradeAddon, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, addonPath(app, name, "/upgrade"), in, w)
	return err
}

// RestoreAddonInto restores a backup of an add-on into a new add-on.
func (c *Client) RestoreAddonInto(ctx context.Context, app, name string, in RestoreAddonInto, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, addonPath(app, name, "/restore-into"), in, w)
	return err
}
