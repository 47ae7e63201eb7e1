package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"

	"github.com/quayside/quayside/engine"
)

// listenPprof opens the profiling listener of Config.PprofAddr. Only a
// loopback address is accepted: the profiles show the daemon's memory, so
// they are for someone already on the server.
func listenPprof(addr string) (net.Listener, error) {
	refused := engine.Errorf(engine.EINVALID, "--pprof-addr %s is not a loopback address: use 127.0.0.1:PORT", addr)
	host, _, err := net.SplitHostPort(addr)
	if ip, perr := netip.ParseAddr(host); err != nil || host == "" || (perr == nil && !ip.IsLoopback()) {
		return nil, refused
	}
	l, err := listenTCP("pprof-addr", addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := l.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = l.Close()
		return nil, refused
	}
	return l, nil
}

// servePprof serves net/http/pprof on l until ctx ends.
func servePprof(ctx context.Context, l net.Listener, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve pprof", "err", err)
	}
}
