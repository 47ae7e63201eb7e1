package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
	"github.com/quayside/quayside/ui/auth"
)

// loginTokenLifetime is how long the token `quayside login` gets lasts.
const loginTokenLifetime = 365 * 24 * time.Hour

// accounts returns the accounts, or an error when the server has none
// (an API without accounts serves only its owner's socket).
func (s *Server) accounts() (*engine.Accounts, error) {
	if s.cfg.Accounts == nil {
		return nil, engine.Errorf(engine.ENOTIMPLEMENTED, "this server has no user accounts")
	}
	return s.cfg.Accounts, nil
}

// identity is the caller's identity; the routes' rules guarantee one.
func identity(c echo.Context) engine.Identity {
	id, _ := engine.IdentityFrom(c.Request().Context())
	return id
}

func (s *Server) me(c echo.Context) error {
	id := identity(c)
	return c.JSON(http.StatusOK, api.Me{Name: id.Name, User: id.User, Role: id.Role, Via: id.Via})
}

// login checks an e-mail and password (throttled and audited like the
// dashboard's sign-in) and answers a new API token for the CLI.
func (s *Server) login(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	var in api.Login
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, from := c.Request().Context(), auth.ClientAddr(c.Request())
	sess, secret, err := acc.SignIn(ctx, in.Email, in.Password, from)
	if err != nil {
		return err
	}
	defer func() { _ = acc.SignOut(ctx, secret) }()
	name := strings.TrimSpace(in.TokenName)
	if name == "" {
		name = "cli"
	}
	u, err := acc.FindUser(ctx, sess.User)
	if err != nil {
		return err
	}
	id := engine.UserIdentity(u, "session", from)
	tok, tokSecret, err := acc.CreateToken(engine.WithIdentity(ctx, id), u.Email, name, loginTokenLifetime)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, api.LoginResult{
		Token: tok.Prefix, Secret: tokSecret, Me: api.Me{Name: id.Name, User: id.User, Role: id.Role, Via: "token"},
	})
}

func (s *Server) listUsers(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	users, err := acc.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.UserList{Users: make([]api.User, 0, len(users))}
	for _, u := range users {
		out.Users = append(out.Users, userJSON(u))
	}
	return c.JSON(http.StatusOK, out)
}

func userJSON(u *engine.User) api.User {
	return api.User{Email: u.Email, Role: u.Role, Disabled: u.Disabled, HasPassword: u.PasswordHash != "",
		CreatedAt: u.CreatedAt, LastSignIn: optTime(u.LastSignIn)}
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// addUser adds a user and answers the one-time link that sets their
// password.
func (s *Server) addUser(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	var in api.AddUser
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	u, secret, err := acc.AddUser(c.Request().Context(), in.Email, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, api.SetupLink{User: u.Email, URL: s.setupURL(secret)})
}

func (s *Server) setupURL(secret string) string {
	return strings.TrimSuffix(s.cfg.ControlURL, "/") + "/setup/" + secret
}

func (s *Server) newSetupLink(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	email := c.Param("email")
	secret, err := acc.NewSetupLink(c.Request().Context(), email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, api.SetupLink{User: engine.NormalizeEmail(email), URL: s.setupURL(secret)})
}

func (s *Server) changeUser(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	var in api.ChangeUser
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	ctx, email := c.Request().Context(), c.Param("email")
	if in.Role != nil {
		if err := acc.ChangeRole(ctx, email, *in.Role); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		change := acc.EnableUser
		if *in.Disabled {
			change = acc.DisableUser
		}
		if err := change(ctx, email); err != nil {
			return err
		}
	}
	u, err := acc.FindUser(ctx, email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, userJSON(u))
}

func (s *Server) removeUser(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	if err := acc.RemoveUser(c.Request().Context(), c.Param("email")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listTokens lists the caller's tokens, or (admins) another user's with
// ?user=.
func (s *Server) listTokens(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	id := identity(c)
	user := c.QueryParam("user")
	if user == "" {
		user = id.User
	}
	toks, err := acc.ListTokens(c.Request().Context(), id, user)
	if err != nil {
		return err
	}
	out := api.TokenList{Tokens: make([]api.Token, 0, len(toks))}
	for _, t := range toks {
		out.Tokens = append(out.Tokens, tokenJSON(t))
	}
	return c.JSON(http.StatusOK, out)
}

func tokenJSON(t *engine.Token) api.Token {
	return api.Token{ID: t.ID, User: t.User, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt,
		ExpiresAt: optTime(t.ExpiresAt), LastUsedAt: optTime(t.LastUsedAt), LastUsedFrom: t.LastUsedFrom, Revoked: t.Revoked}
}

// createToken makes a token for the caller (or, for admins, another
// user) and answers its secret, this once.
func (s *Server) createToken(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	var in api.CreateToken
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if in.ExpiresInSeconds < 0 {
		return engine.FieldError("expires_in_seconds", "the lifetime must not be negative (0: never expires)")
	}
	id := identity(c)
	user := in.User
	if user == "" {
		user = id.User
	}
	if user == "" {
		return engine.FieldError("user", "name the user the token is for: the server's owner has no account (`quayside users add` makes one)")
	}
	if user != id.User && !engine.RoleAllows(id.Role, engine.ActManageUsers) {
		return engine.Errorf(engine.EFORBIDDEN, "only admins may make tokens for other users")
	}
	t, secret, err := acc.CreateToken(c.Request().Context(), user, in.Name, time.Duration(in.ExpiresInSeconds)*time.Second)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, api.CreatedToken{Token: tokenJSON(t), Secret: secret})
}

func (s *Server) revokeToken(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || n <= 0 {
		return engine.FieldError("id", "a token ID is a positive number, as `quayside tokens` lists them")
	}
	if err := acc.RevokeToken(c.Request().Context(), identity(c), n); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listAudit answers a page of the audit log: ?app, ?user, ?since (a
// duration such as 24h, or RFC 3339), ?before, ?limit (default 100, at
// most 1000).
func (s *Server) listAudit(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	q := engine.AuditQuery{App: c.QueryParam("app"), Actor: c.QueryParam("user")}
	if q.Limit, err = queryInt(c, "limit", 100, 1, 1000); err != nil {
		return err
	}
	before, err := queryInt(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q.Before = int64(before)
	if v := c.QueryParam("since"); v != "" {
		if q.Since, err = parseSince(v, time.Now()); err != nil {
			return err
		}
	}
	entries, err := acc.ListAudit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := api.AuditPage{Entries: make([]api.AuditEntry, 0, len(entries))}
	for _, e := range entries {
		out.Entries = append(out.Entries, api.AuditEntry{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action,
			App: e.App, Target: e.Target, Detail: e.Detail, From: e.From, Success: e.Success})
	}
	if len(entries) == q.Limit {
		out.NextBefore = entries[len(entries)-1].ID
	}
	return c.JSON(http.StatusOK, out)
}
