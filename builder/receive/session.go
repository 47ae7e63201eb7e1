package receive

import (
	"context"
	"fmt"
	"io"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
)

// authorize accepts a public key the key store knows. It is the only
// authentication method: the server offers no password or
// keyboard-interactive login.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	k, err := s.findKey(ctx, key)
	if err != nil {
		s.logKeyRefusal(ctx, key, err)
		return false
	}
	s.log.Debug("ssh key accepted", "key", k.Name, "remote", ctx.RemoteAddr().String())
	return true
}

// findKey looks key up in the key store.
func (s *Server) findKey(ctx context.Context, key ssh.PublicKey) (*engine.Key, error) {
	if key == nil {
		return nil, engine.Errorf(engine.EUNAUTHORIZED, "no public key")
	}
	ctx, cancel := context.WithTimeout(ctx, keyLookupTimeout)
	defer cancel()
	return s.cfg.Keys.FindKeyByFingerprint(ctx, gossh.FingerprintSHA256(key))
}

func (s *Server) logKeyRefusal(ctx ssh.Context, key ssh.PublicKey, err error) {
	attrs := []any{"fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String()}
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		s.log.Info("ssh key refused: unknown", attrs...)
		return
	}
	s.log.Error("ssh key lookup failed", append(attrs, "err", err)...)
}

// handleSession serves one SSH session and exits it with the status of
// what ran.
func (s *Server) handleSession(sess ssh.Session) {
	sessionStarted(sess)
	if !s.track() {
		_ = sess.Exit(1)
		return
	}
	defer s.wg.Done()
	_ = sess.Exit(s.runSession(sess))
}

func (s *Server) runSession(sess ssh.Session) int {
	stderr := sess.Stderr()
	// The key that authenticated is the session's; look it up again so a
	// key removed since the handshake cannot push.
	key, err := s.findKey(sess.Context(), sess.PublicKey())
	if engine.ErrorCode(err) == engine.ENOTFOUND {
		fmt.Fprintln(stderr, "! Your SSH key is not allowed to push to this Quayside server.")
		return 1
	}
	if err != nil {
		s.log.Error("ssh key lookup failed", "err", err)
		fmt.Fprintln(stderr, "! Quayside could not check your SSH key. Try again in a moment.")
		return 1
	}
	cmd, err := parseCommand(sess.RawCommand(), sess.Command())
	if err != nil {
		s.log.Info("ssh command refused", "key", key.Name, "command", sess.RawCommand())
		printRefusal(stderr, err)
		return 1
	}
	if cmd.shell {
		greet(stderr, key.Name, sess.User())
		return 1
	}
	var ctx context.Context = sess.Context()
	author := key.Name
	if s.cfg.Identify != nil {
		id, err := s.cfg.Identify(ctx, key, sess.RemoteAddr().String())
		if err != nil {
			printRefusal(stderr, err)
			return 1
		}
		ctx, author = engine.WithIdentity(ctx, id), id.Name
	}
	return s.receivePack(ctx, sess, author, cmd.app)
}

// greet answers a login without a command: no shell here, but this is how
// to push.
func greet(w io.Writer, keyName, user string) {
	fmt.Fprintf(w, "Hi %s! You are authenticated with Quayside, which does not offer shell access.\n"+
		"To deploy an app, push a branch to it:\n"+
		"  git remote add quayside ssh://%s@<this server>/<app>.git\n"+
		"  git push quayside main\n", keyName, user)
}

// printRefusal shows a refusal's user message, never internal details.
func printRefusal(w io.Writer, err error) {
	fmt.Fprintf(w, "! %s\n", engine.ErrorMessage(err))
}
