package ui

import (
	"context"
	"net"
	"os/user"
	"strconv"

	"github.com/labstack/echo/v4"
	"golang.org/x/sys/unix"

	"github.com/quayside/quayside/engine"
)

type peerKey struct{}

// ConnContext is an http.Server ConnContext for the control socket: it
// records the Unix user on the other end of the connection, so changes made
// through the socket are attributed to that user.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return ctx
	}
	var cred *unix.Ucred
	_ = raw.Control(func(fd uintptr) {
		cred, _ = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	})
	if cred == nil {
		return ctx
	}
	return context.WithValue(ctx, peerKey{}, userName(cred.Uid))
}

func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return "uid " + id
}

// socketIdentity gives requests on the control socket the identity of
// the server's owner (admin), named after the Unix user on the other end.
func socketIdentity(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := "server"
		if peer, ok := c.Request().Context().Value(peerKey{}).(string); ok {
			name = peer + " (server)"
		}
		r := c.Request()
		c.SetRequest(r.WithContext(engine.WithIdentity(r.Context(), engine.ServerIdentity(name))))
		return next(c)
	}
}

// actor names who makes the request, for releases and logs.
func actor(c echo.Context) string {
	if id, ok := engine.IdentityFrom(c.Request().Context()); ok && id.Name != "" {
		return id.Name
	}
	return "server"
}
