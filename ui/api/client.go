package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/quayside/quayside/engine"
)

// Client calls the Quayside API. Errors from the server come back as
// *engine.Error with the server's code and message.
type Client struct {
	// BaseURL is the server's root, such as "http://unix" for the control socket.
	BaseURL string
	HTTP    *http.Client
	// Token, when set, is sent as a bearer token.
	Token string
}

// NewUnixClient returns a client that talks to the daemon's control socket.
func NewUnixClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}
	return &Client{BaseURL: "http://quayside", HTTP: &http.Client{Transport: tr}}
}

// Status describes the server.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	return &s, c.do(ctx, http.MethodGet, "/api/v1/status", nil, &s)
}

// ListApps lists every app the caller sees, page after page.
func (c *Client) ListApps(ctx context.Context) ([]App, error) {
	var all []App
	for after := ""; ; {
		var l AppList
		if err := c.do(ctx, http.MethodGet, "/api/v1/apps?after="+url.QueryEscape(after), nil, &l); err != nil {
			return nil, err
		}
		all = append(all, l.Apps...)
		if l.NextAfter == "" {
			return all, nil
		}
		after = l.NextAfter
	}
}

// CreateApp creates an app.
func (c *Client) CreateApp(ctx context.Context, name string) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodPost, "/api/v1/apps", CreateApp{Name: name}, &a)
}

// App returns one app.
func (c *Client) App(ctx context.Context, name string) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodGet, appPath(name, ""), nil, &a)
}

// UpdateApp changes an app's settings.
func (c *Client) UpdateApp(ctx context.Context, name string, u UpdateApp) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodPatch, appPath(name, ""), u, &a)
}

// DestroyApp removes an app and everything it owns; confirm must repeat its name.
func (c *Client) DestroyApp(ctx context.Context, name, confirm string) error {
	return c.do(ctx, http.MethodDelete, appPath(name, "")+"?confirm="+url.QueryEscape(confirm), nil, nil)
}

// Releases lists up to limit releases of an app, newest first.
func (c *Client) Releases(ctx context.Context, app string, limit int) ([]Release, error) {
	var l ReleaseList
	return l.Releases, c.do(ctx, http.MethodGet, appPath(app, "/releases")+"?limit="+strconv.Itoa(limit), nil, &l)
}

// Config returns an app's config; values are masked unless reveal.
func (c *Client) Config(ctx context.Context, app string, reveal bool) (*Config, error) {
	var cfg Config
	return &cfg, c.do(ctx, http.MethodGet, appPath(app, "/config")+"?reveal="+strconv.FormatBool(reveal), nil, &cfg)
}

// ChangeConfig applies a config change, streaming the deploy's output to w.
// The release is nil when the app had no release to redeploy.
func (c *Client) ChangeConfig(ctx context.Context, app string, ch ConfigChange, w io.Writer) (*Release, error) {
	return c.streamRelease(ctx, http.MethodPatch, appPath(app, "/config"), ch, w)
}

// Rollback deploys an earlier release again, streaming output to w.
func (c *Client) Rollback(ctx context.Context, app string, to int, w io.Writer) (*Release, error) {
	return c.streamRelease(ctx, http.MethodPost, appPath(app, "/rollback"), Rollback{To: to}, w)
}

// Promote releases the image of from's current release into app, streaming
// output to w.
func (c *Client) Promote(ctx context.Context, from, app string, w io.Writer) (*Release, error) {
	return c.streamRelease(ctx, http.MethodPost, appPath(app, "/promote"), Promote{From: from}, w)
}

// Redeploy deploys app's current release again (same image and config, a
// preview's config recomputed from its app's), streaming output to w.
func (c *Client) Redeploy(ctx context.Context, app string, w io.Writer) (*Release, error) {
	return c.streamRelease(ctx, http.MethodPost, appPath(app, "/redeploy"), struct{}{}, w)
}

// Restart replaces the containers of one process type of app with fresh
// ones, streaming progress to w.
func (c *Client) Restart(ctx context.Context, app, process string, w io.Writer) error {
	_, err := c.stream(ctx, http.MethodPost, appPath(app, "/restart"), Restart{Process: process}, w)
	return err
}

// Processes lists an app's containers and its scale.
func (c *Client) Processes(ctx context.Context, app string) (*ProcessList, error) {
	var l ProcessList
	return &l, c.do(ctx, http.MethodGet, appPath(app, "/ps"), nil, &l)
}

// Scale changes how many containers of each process type run, streaming
// progress to w.
func (c *Client) Scale(ctx context.Context, app string, change ScaleChange, w io.Writer) (*App, error) {
	ev, err := c.stream(ctx, http.MethodPost, appPath(app, "/scale"), change, w)
	if err != nil {
		return nil, err
	}
	return ev.App, nil
}

// SetLimits changes the limits of one process type, streaming the
// replacement of its containers to w, and returns the limits in effect.
func (c *Client) SetLimits(ctx context.Context, app string, ch LimitsChange, w io.Writer) (*Limits, error) {
	ev, err := c.stream(ctx, http.MethodPatch, appPath(app, "/limits"), ch, w)
	if err != nil {
		return nil, err
	}
	if ev.Limits == nil {
		return nil, fmt.Errorf("set limits: the server answered no limits")
	}
	return ev.Limits, nil
}

// Run runs a command in a one-off container of the app, streaming its
// output to w, and returns its exit code.
func (c *Client) Run(ctx context.Context, app string, command []string, w io.Writer) (int, error) {
	ev, err := c.stream(ctx, http.MethodPost, appPath(app, "/run"), Run{Command: command}, w)
	if err != nil {
		return 0, err
	}
	if ev.ExitCode == nil {
		return 0, engine.Errorf(engine.EINTERNAL, "the server did not report the exit code")
	}
	return *ev.ExitCode, nil
}

// ClearBuildCache makes the app's next build start from nothing.
func (c *Client) ClearBuildCache(ctx context.Context, app string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/build-cache"), nil, nil)
}

// Domains lists an app's hosts with their certificates.
func (c *Client) Domains(ctx context.Context, app string) ([]Domain, error) {
	var l DomainList
	return l.Domains, c.do(ctx, http.MethodGet, appPath(app, "/domains"), nil, &l)
}

// AddDomain routes a custom domain to an app.
func (c *Client) AddDomain(ctx context.Context, app, host string) (*Domain, error) {
	var d Domain
	return &d, c.do(ctx, http.MethodPost, appPath(app, "/domains"), AddDomain{Host: host}, &d)
}

// RemoveDomain stops routing a custom domain to an app.
func (c *Client) RemoveDomain(ctx context.Context, app, host string) error {
	return c.do(ctx, http.MethodDelete, appPath(app, "/domains/")+url.PathEscape(host), nil, nil)
}

// ChangeEdge changes how the proxy treats an app's requests.
func (c *Client) ChangeEdge(ctx context.Context, app string, ch EdgeChange) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodPatch, appPath(app, "/edge"), ch, &a)
}

// SetBasicAuth requires HTTP basic auth for an app.
func (c *Client) SetBasicAuth(ctx context.Context, app, user, password string) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodPut, appPath(app, "/basic-auth"), BasicAuth{User: user, Password: password}, &a)
}

// RemoveBasicAuth lets requests to an app through without basic auth.
func (c *Client) RemoveBasicAuth(ctx context.Context, app string) (*App, error) {
	var a App
	return &a, c.do(ctx, http.MethodDelete, appPath(app, "/basic-auth"), nil, &a)
}

// CARoot returns the local CA's root certificate in PEM.
func (c *Client) CARoot(ctx context.Context) ([]byte, error) {
	resp, err := c.send(ctx, http.MethodGet, "/api/v1/ca/root.pem", nil, "application/x-pem-file")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, decodeError(resp)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// Events lists up to limit events of an app, newest first.
func (c *Client) Events(ctx context.Context, app string, limit int) ([]Event, error) {
	var l EventList
	return l.Events, c.do(ctx, http.MethodGet, appPath(app, "/events")+"?limit="+strconv.Itoa(limit), nil, &l)
}

// ReleaseOutput returns what a release printed while it was built and deployed.
func (c *Client) ReleaseOutput(ctx context.Context, app string, number int) (string, error) {
	var o ReleaseOutput
	return o.Output, c.do(ctx, http.MethodGet, appPath(app, "/releases/")+strconv.Itoa(number)+"/output", nil, &o)
}

// LogParams selects log lines: N last lines, Since (a duration such as
// "10m" or a time), one Process type.
type LogParams struct {
	N       int
	Since   string
	Process string
}

func (p LogParams) query(follow bool) string {
	v := url.Values{}
	v.Set("n", strconv.Itoa(p.N))
	if p.Since != "" {
		v.Set("since", p.Since)
	}
	if p.Process != "" {
		v.Set("process", p.Process)
	}
	if follow {
		v.Set("follow", "true")
	}
	return "?" + v.Encode()
}

// Logs returns an app's log history, oldest first.
func (c *Client) Logs(ctx context.Context, app string, p LogParams) ([]LogLine, error) {
	var l LogList
	return l.Lines, c.do(ctx, http.MethodGet, appPath(app, "/logs")+p.query(false), nil, &l)
}

// FollowLogs calls fn with the history and then each new event until ctx
// ends or the server goes away; it returns the server's error when the
// server ends the stream with one (the account was disabled, ...).
func (c *Client) FollowLogs(ctx context.Context, app string, p LogParams, fn func(LogEvent)) error {
	resp, err := c.send(ctx, http.MethodGet, appPath(app, "/logs")+p.query(true), nil, StreamContentType)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var ev LogEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("decode log event: %w", err)
		}
		if ev.Type == "error" {
			return toEngineError(ev.Error)
		}
		fn(ev)
	}
	if ctx.Err() != nil {
		return nil
	}
	return sc.Err()
}

// ListKeys lists the SSH keys allowed to push.
func (c *Client) ListKeys(ctx context.Context) ([]Key, error) {
	var l KeyList
	return l.Keys, c.do(ctx, http.MethodGet, "/api/v1/keys", nil, &l)
}

// AddKey allows a public key to push, as the caller (on the control
// socket, as the server's owner).
func (c *Client) AddKey(ctx context.Context, name, publicKey string) (*Key, error) {
	return c.AddKeyFor(ctx, name, publicKey, "")
}

// AddKeyFor allows a public key to push as user ("" for the caller): only
// admins may name another user.
func (c *Client) AddKeyFor(ctx context.Context, name, publicKey, user string) (*Key, error) {
	var k Key
	return &k, c.do(ctx, http.MethodPost, "/api/v1/keys", AddKey{Name: name, PublicKey: publicKey, User: user}, &k)
}

// RemoveKey removes a key.
func (c *Client) RemoveKey(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/keys/"+url.PathEscape(name), nil, nil)
}

func appPath(app, rest string) string { return "/api/v1/apps/" + url.PathEscape(app) + rest }

// do sends in as JSON and decodes the answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

// streamRelease is stream for operations whose result is a release.
func (c *Client) streamRelease(ctx context.Context, method, path string, in any, w io.Writer) (*Release, error) {
	ev, err := c.stream(ctx, method, path, in, w)
	if err != nil {
		return nil, err
	}
	return ev.Release, nil
}

// stream sends in and copies the streamed output to w, made clean by
// engine.CleanText, until the result event, which it returns.
func (c *Client) stream(ctx context.Context, method, path string, in any, w io.Writer) (*StreamEvent, error) {
	resp, err := c.send(ctx, method, path, in, StreamContentType)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, decodeError(resp)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	w = engine.NewCleanWriter(w)
	for sc.Scan() {
		var ev StreamEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, fmt.Errorf("decode stream event: %w", err)
		}
		switch ev.Type {
		case EventOutput:
			_, _ = io.WriteString(w, ev.Text)
		case EventResult:
			return &ev, nil
		case EventError:
			return nil, toEngineError(ev.Error)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	return nil, engine.Errorf(engine.EUNAVAILABLE, "the server closed the connection before the result: check `quayside releases` for the outcome")
}

func (c *Client) send(ctx context.Context, method, path string, in any, accept string) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", accept)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, engine.Errorf(engine.EUNAVAILABLE, "cannot reach the Quayside server: %v", err)
	}
	return resp, nil
}

func decodeError(resp *http.Response) error {
	var e Error
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(b, &e); err != nil || e.Code == "" {
		return engine.Errorf(engine.EINTERNAL, "the server answered %s", resp.Status)
	}
	return toEngineError(&e)
}

func toEngineError(e *Error) error {
	if e == nil {
		return engine.Errorf(engine.EINTERNAL, "the server reported an error without details")
	}
	return &engine.Error{Code: e.Code, Message: e.Message, Fields: e.Fields}
}
