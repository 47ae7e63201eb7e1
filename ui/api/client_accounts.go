package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Me returns who the client is signed in as.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var m Me
	return &m, c.do(ctx, http.MethodGet, "/api/v1/me", nil, &m)
}

// Login exchanges an e-mail and password for a new API token.
func (c *Client) Login(ctx context.Context, in Login) (*LoginResult, error) {
	var r LoginResult
	return &r, c.do(ctx, http.MethodPost, "/api/v1/login", in, &r)
}

// ListUsers lists the accounts.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	var l UserList
	return l.Users, c.do(ctx, http.MethodGet, "/api/v1/users", nil, &l)
}

// AddUser adds an account and returns its one-time setup link.
func (c *Client) AddUser(ctx context.Context, email, role string) (*SetupLink, error) {
	var l SetupLink
	return &l, c.do(ctx, http.MethodPost, "/api/v1/users", AddUser{Email: email, Role: role}, &l)
}

// ChangeUser changes an account's role or disables it.
func (c *Client) ChangeUser(ctx context.Context, email string, ch ChangeUser) (*User, error) {
	var u User
	return &u, c.do(ctx, http.MethodPatch, "/api/v1/users/"+url.PathEscape(email), ch, &u)
}

// RemoveUser removes an account.
func (c *Client) RemoveUser(ctx context.Context, email string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/users/"+url.PathEscape(email), nil, nil)
}

// NewSetupLink makes a new one-time setup link for an account.
func (c *Client) NewSetupLink(ctx context.Context, email string) (*SetupLink, error) {
	var l SetupLink
	return &l, c.do(ctx, http.MethodPost, "/api/v1/users/"+url.PathEscape(email)+"/setup-link", nil, &l)
}

// ListTokens lists the caller's tokens, or user's (admins).
func (c *Client) ListTokens(ctx context.Context, user string) ([]Token, error) {
	var l TokenList
	p := "/api/v1/tokens"
	if user != "" {
		p += "?user=" + url.QueryEscape(user)
	}
	return l.Tokens, c.do(ctx, http.MethodGet, p, nil, &l)
}

// CreateToken makes a token; its secret is in the answer only.
func (c *Client) CreateToken(ctx context.Context, in CreateToken) (*CreatedToken, error) {
	var t CreatedToken
	return &t, c.do(ctx, http.MethodPost, "/api/v1/tokens", in, &t)
}

// RevokeToken revokes a token by its ID.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/tokens/"+strconv.FormatInt(id, 10), nil, nil)
}

// AuditQuery selects audit entries.
type AuditQuery struct {
	App, User string
	Since     time.Duration
	Before    int64
	Limit     int
}

// Audit returns a page of the audit log, newest first.
func (c *Client) Audit(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	v := url.Values{}
	if q.App != "" {
		v.Set("app", q.App)
	}
	if q.User != "" {
		v.Set("user", q.User)
	}
	if q.Since > 0 {
		v.Set("since", q.Since.String())
	}
	if q.Before > 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var p AuditPage
	return &p, c.do(ctx, http.MethodGet, "/api/v1/audit?"+v.Encode(), nil, &p)
}

// Webhooks lists the webhooks of app, or of the server when app is "".
func (c *Client) Webhooks(ctx context.Context, app string) ([]Webhook, error) {
	var l WebhookList
	return l.Webhooks, c.do(ctx, http.MethodGet, webhookPath(app), nil, &l)
}

// SetWebhooks replaces the webhooks of app (the server's when "").
func (c *Client) SetWebhooks(ctx context.Context, app string, hooks []Webhook) error {
	return c.do(ctx, http.MethodPut, webhookPath(app), WebhookList{Webhooks: hooks}, nil)
}

func webhookPath(app string) string {
	if app == "" {
		return "/api/v1/alerts"
	}
	return appPath(app, "/alerts")
}

// AppMetrics returns an app's history over span.
func (c *Client) AppMetrics(ctx context.Context, app string, span time.Duration) (*Metrics, error) {
	var m Metrics
	return &m, c.do(ctx, http.MethodGet, appPath(app, "/metrics")+"?span="+url.QueryEscape(span.String()), nil, &m)
}

// SetupPassword sets a password with a setup link's secret.
func (c *Client) SetupPassword(ctx context.Context, secret, password string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/setup-password", SetupPassword{Secret: secret, Password: password}, nil)
}

// Members lists the users who may see app.
func (c *Client) Members(ctx context.Context, app string) ([]string, error) {
	var l MemberList
	return l.Members, c.do(ctx, http.MethodGet, appPath(app, "/members"), nil, &l)
}

// AddMember lets user see app.
func (c *Client) AddMember(ctx context.Context, app, user string) error {
	return c.do(ctx, http.MethodPut, appPath(app, "/members/"+url.PathEscape(user)), nil, nil)
}

// RemoveMember stops user seeing app.
func (c *Client) RemoveMember(ctx context.Context, app, user string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/members/"+url.PathEscape(user)), nil, nil)
}

// TestWebhook sends one test alert to a webhook of app (a server-wide
// webhook when app is "") and returns whether it was delivered.
func (c *Client) TestWebhook(ctx context.Context, app string, w Webhook) (WebhookTestResult, error) {
	var res WebhookTestResult
	return res, c.do(ctx, http.MethodPost, webhookPath(app)+"/test", w, &res)
}
