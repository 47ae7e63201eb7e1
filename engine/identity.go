package engine

import "context"

// Identity is who makes a request.
type Identity struct {
	// Name is shown in releases and the audit log: an e-mail, an SSH key
	// name, or "server" for the control socket's owner.
	Name string
	// User is the account's e-mail; "" for the server's owner.
	User string
	Role string
	// Via says how the request arrived: "socket", "session", "token", "ssh".
	Via  string
	From string
}

// ServerIdentity is the owner of the server, on its control socket.
func ServerIdentity(name string) Identity {
	return Identity{Name: name, Role: RoleAdmin, Via: "socket"}
}

type identityKey struct{}

// WithIdentity returns ctx carrying id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity ctx carries.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// UserIdentity is the identity of u arriving via via ("session", "token",
// "ssh") from from.
func UserIdentity(u *User, via, from string) Identity {
	return Identity{Name: u.Email, User: u.Email, Role: u.Role, Via: via, From: from}
}
