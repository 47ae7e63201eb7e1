package api

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Preview is one branch of an app deployed as an app of its own.
type Preview struct {
	// Name is the preview's app name, <app>--<branch slug>: the other
	// app commands (logs, config, ps) take it.
	Name      string    `json:"name"`
	App       string    `json:"app"`
	Branch    string    `json:"branch"`
	Commit    string    `json:"commit"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	PushedAt  time.Time `json:"pushed_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PreviewSettings says how an app's previews behave.
type PreviewSettings struct {
	TTLSeconds int64  `json:"ttl_seconds"`
	Max        int    `json:"max"`
	AuthUser   string `json:"auth_user,omitempty"`
}

// PreviewList answers GET /previews and GET /apps/{app}/previews. Settings
// is null when the app has previews off; ProductionOnly and PreviewConfig
// name the config keys (never values) that shape a new preview's config.
type PreviewList struct {
	Settings       *PreviewSettings `json:"settings,omitempty"`
	ProductionOnly []string         `json:"production_only,omitempty"`
	PreviewConfig  []string         `json:"preview_config,omitempty"`
	Previews       []Preview        `json:"previews"`
}

// EnablePreviews is the body of PUT /apps/{app}/previews. Zero TTLSeconds
// and Max take the defaults (7 days, 10). With Auth, every preview requires
// basic auth as AuthUser (default "preview") with AuthPassword; without a
// password the server makes one and answers it once.
type EnablePreviews struct {
	TTLSeconds   int64  `json:"ttl_seconds,omitempty"`
	Max          int    `json:"max,omitempty"`
	Auth         bool   `json:"auth,omitempty"`
	AuthUser     string `json:"auth_user,omitempty"`
	AuthPassword string `json:"auth_password,omitempty"`
}

// PreviewsEnabled answers PUT /apps/{app}/previews; AuthPassword is set
// only when the server made it.
type PreviewsEnabled struct {
	Settings     PreviewSettings `json:"settings"`
	AuthPassword string          `json:"auth_password,omitempty"`
}

// ListPreviews lists the previews of app, or of every app the caller may
// see when app is "".
func (c *Client) ListPreviews(ctx context.Context, app string) (*PreviewList, error) {
	var l PreviewList
	path := "/api/v1/previews"
	if app != "" {
		path = appPath(app, "/previews")
	}
	return &l, c.do(ctx, http.MethodGet, path, nil, &l)
}

// EnablePreviews turns previews of app on or changes their settings.
func (c *Client) EnablePreviews(ctx context.Context, app string, in EnablePreviews) (*PreviewsEnabled, error) {
	var out PreviewsEnabled
	return &out, c.do(ctx, http.MethodPut, appPath(app, "/previews"), in, &out)
}

// DisablePreviews turns previews of app off and destroys them.
func (c *Client) DisablePreviews(ctx context.Context, app string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/previews"), nil, nil)
}

// DestroyPreview destroys the preview of app's branch.
func (c *Client) DestroyPreview(ctx context.Context, app, branch string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/previews/")+url.PathEscape(branch), nil, nil)
}
