package receive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"syscall"
	"time"

	"github.com/gliderlabs/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
)

// receivePackWaitDelay is how long git gets to clean up (lock files,
// quarantine) after SIGTERM before it is killed.
const receivePackWaitDelay = 10 * time.Second

// pushIO is where one push's git streams go: an SSH session's channels,
// or an HTTP request and its response.
type pushIO struct {
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	// args are extra arguments of git-receive-pack (--stateless-rpc).
	args []string
}

// receivePack runs one push to app over SSH.
func (s *Server) receivePack(ctx context.Context, sess ssh.Session, author, app string) int {
	ctx, cancel := s.pushContext(ctx)
	defer cancel()
	go keepAlive(ctx, sess)
	log := s.log.With("app", app, "author", author, "remote", sess.RemoteAddr().String())
	pio := pushIO{in: sess, out: sess, errOut: sess.Stderr()}
	code := s.lockedReceive(ctx, pio, log, author, app)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		fmt.Fprintf(sess.Stderr(), "! Push timed out after %s.\n", s.cfg.PushTimeout)
	}
	if cause := heldCause(ctx); code != 0 && cause != nil {
		log.Info("push stopped", "reason", engine.ErrorMessage(cause))
		printRejection(sess.Stderr(), cause)
	}
	return code
}

// heldCause is why Hold ended ctx (the pusher was disabled, demoted or
// removed), nil otherwise.
func heldCause(ctx context.Context) error {
	var e *engine.Error
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &e) {
		return e
	}
	return nil
}

// lockedReceive waits for other pushes to app, asks the Deployer and
// receives: one push per app at a time, the Deployer's consent, the
// repository, then git-receive-pack whose pre-receive hook deploys.
func (s *Server) lockedReceive(ctx context.Context, pio pushIO, log *slog.Logger, author, app string) int {
	unlock, err := s.locks.lock(ctx, app, func() {
		fmt.Fprintf(pio.errOut, "Another push to %s is in progress: waiting for it to finish...\n", app)
	})
	if errors.Is(err, errSuperseded) {
		log.Info("push superseded by a newer one")
		fmt.Fprintf(pio.errOut, "! A newer push to %s arrived while this one waited: this one was not deployed.\n", app)
		return 1
	}
	if err != nil {
		return 1
	}
	defer unlock()
	if err := s.cfg.Deployer.PreparePush(ctx, app, author); err != nil {
		logRejection(log, "push refused", err)
		printRejection(pio.errOut, err)
		return 1
	}
	return s.receiveInto(ctx, pio, log, author, app)
}

// receiveInto prepares app's repository, registers the push and runs
// git-receive-pack on it.
func (s *Server) receiveInto(ctx context.Context, pio pushIO, log *slog.Logger, author, app string) int {
	gitDir, err := s.repos.ensure(ctx, app)
	if err != nil {
		log.Error("prepare repository", "err", err)
		printRejection(pio.errOut, err)
		return 1
	}
	p, err := s.pushes.add(ctx, app, author, gitDir)
	if err != nil {
		log.Error("register push", "err", err)
		printRejection(pio.errOut, err)
		return 1
	}
	defer s.pushes.remove(p.id)
	log = log.With("push", p.logID())
	log.Info("push started")
	code, err := s.runReceivePack(ctx, pio, gitDir, p.id)
	log.Info("push finished", "status", code, "err", err)
	return code
}

// pushContext bounds a push by its session, PushTimeout and Close, and by
// the pusher's rights (Config.Hold).
func (s *Server) pushContext(parent context.Context) (context.Context, context.CancelFunc) {
	release := func() {}
	if s.cfg.Hold != nil {
		parent, release = s.cfg.Hold(parent)
	}
	ctx, cancel := context.WithTimeout(parent, s.cfg.PushTimeout)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel(); release() }
}

// runReceivePack runs git-receive-pack on gitDir wired to pio. On
// cancellation its process group (the hook included) gets SIGTERM.
func (s *Server) runReceivePack(ctx context.Context, pio pushIO, gitDir, pushID string) (int, error) {
	args := append(append([]string{"receive-pack"}, pio.args...), gitDir)
	cmd := exec.CommandContext(ctx, s.git, args...)
	cmd.Dir = gitDir
	cmd.Env = gitEnv(EnvPushID + "=" + pushID)
	cmd.Stdout = pio.out
	cmd.Stderr = pio.errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = receivePackWaitDelay
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 1, fmt.Errorf("receive-pack stdin: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("start receive-pack: %w", err)
	}
	// Not waited for: the copy ends when the client's input does, which
	// may be after git exits.
	go func() {
		_, _ = io.Copy(stdin, pio.in)
		stdin.Close()
	}()
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code > 0 {
		return code, err
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// keepAlive pings the client while a push runs, so that a build that prints
// nothing for a while does not trip the idle timeout, and a vanished client
// is noticed.
func keepAlive(ctx context.Context, sess ssh.Session) {
	conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	if !ok {
		return
	}
	t := time.NewTicker(keepAliveInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				return
			}
		}
	}
}

// printRejection shows why a push is rejected, prominently.
func printRejection(w io.Writer, err error) {
	fmt.Fprintf(w, "\n! Push rejected: %s\n\n", engine.ErrorMessage(err))
}

// logRejection logs user errors at info and everything else at error.
func logRejection(log *slog.Logger, msg string, err error) {
	if engine.ErrorCode(err) == engine.EINTERNAL {
		log.Error(msg, "err", err, "detail", engine.ErrorDetail(err))
		return
	}
	log.Info(msg, "reason", engine.ErrorMessage(err), "detail", engine.ErrorDetail(err))
}
