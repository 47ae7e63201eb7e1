package receive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/quayside/quayside/engine"
)

// ServeHooks answers pre-receive hook calls on ln (see ListenHookSocket)
// until Close. It returns nil after Close.
func (s *Server) ServeHooks(ln net.Listener) error {
	if !s.addListener(ln) {
		return nil
	}
	defer s.removeListener(ln)
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("accept hook connection: %w", err)
			}
			// Anything else (too many open files, ...) may pass: back off.
			s.log.Warn("accept hook connection", "err", err)
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if !s.track() {
			conn.Close()
			return nil
		}
		go func() {
			defer s.wg.Done()
			s.serveHookConn(conn)
		}()
	}
}

// serveHookConn answers one hook run: read its request, deploy, send the
// exit status.
func (s *Server) serveHookConn(conn net.Conn) {
	defer conn.Close()
	stop := context.AfterFunc(s.ctx, func() { conn.Close() })
	defer stop()

	r := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(hookRequestTimeout))
	req, err := readHookRequest(r)
	_ = conn.SetReadDeadline(time.Time{})
	out := &frameWriter{conn: conn}
	if err != nil {
		s.log.Warn("bad hook request", "err", err)
		printRejection(out, err)
		_ = out.exit(1)
		return
	}
	_ = out.exit(s.runHook(r, out, req))
}

// runHook deploys the push a hook request belongs to. The deploy's context
// ends with the push (session, timeout, Close) and with the hook's
// connection.
func (s *Server) runHook(r io.Reader, out *frameWriter, req *hookRequest) int {
	p, ok := s.pushes.claim(req.PushID)
	if !ok {
		s.log.Warn("hook call for an unknown push refused")
		printRejection(out, engine.Errorf(engine.EUNAUTHORIZED,
			"this push is unknown to Quayside or has expired. Push again."))
		return 1
	}
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	out.mu.Lock()
	out.onFail = cancel
	out.mu.Unlock()
	// The hook sends nothing after its request: a read returning means it
	// went away (the pusher hit Ctrl-C, git was killed).
	go func() {
		_, _ = r.Read(make([]byte, 1))
		cancel()
	}()
	log := s.log.With("app", p.app, "author", p.author, "push", p.logID())
	return s.deploy(ctx, log, p, req, out)
}

// deploy checks the push and hands it to the Deployer.
func (s *Server) deploy(ctx context.Context, log *slog.Logger, p *push, req *hookRequest, out io.Writer) int {
	if ref, err := branchUpdate(req.Refs); err == nil && isZeroID(ref.New) {
		return s.deleteBranch(ctx, log, p, ref.Name, out)
	}
	pr, err := s.pushRequest(p, req, out)
	if err != nil {
		logRejection(log, "push refused", err)
		printRejection(out, err)
		return 1
	}
	rel, err := s.cfg.Deployer.Push(ctx, *pr)
	if err != nil {
		logRejection(log, "push rejected", err)
		printRejection(out, err)
		return 1
	}
	if rel != nil {
		log.Info("push deployed", "release", rel.Number, "commit", pr.NewCommit)
	}
	return 0
}

// deleteBranch hands a branch deletion to the Deployer.
func (s *Server) deleteBranch(ctx context.Context, log *slog.Logger, p *push, ref string, out io.Writer) int {
	if err := s.cfg.Deployer.DeleteBranch(ctx, p.app, ref); err != nil {
		logRejection(log, "branch delete refused", err)
		printRejection(out, err)
		return 1
	}
	log.Info("branch deleted", "ref", ref)
	return 0
}

// pushRequest builds the engine's request from a checked hook request.
func (s *Server) pushRequest(p *push, req *hookRequest, out io.Writer) (*engine.PushRequest, error) {
	ref, err := branchUpdate(req.Refs)
	if err != nil {
		return nil, err
	}
	opts, err := parsePushOptions(req.Options)
	if err != nil {
		return nil, err
	}
	env, err := quarantineEnv(p.gitDir, req.Quarantine)
	if err != nil {
		return nil, err
	}
	src, err := NewSource(p.gitDir, ref.New, env)
	if err != nil {
		return nil, err
	}
	return &engine.PushRequest{
		App: p.app, Ref: ref.Name, OldCommit: ref.Old, NewCommit: ref.New,
		Author: p.author, Source: src, Options: opts, Output: out, Subject: src.Subject(p.ctx),
	}, nil
}
