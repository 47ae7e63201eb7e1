package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
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
	srv := &http.Server{Handler: localOnly(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve pprof", "err", err)
	}
}

// localOnly serves only requests meant for this loopback listener: a Host
// that is "localhost" or a loopback IP, and no browser request made from
// another page. A web page a browser on the server opens can otherwise
// read the profiles through DNS rebinding (its own name resolved to
// 127.0.0.1), or start long CPU profiles and traces (an <img> pointing at
// /debug/pprof/profile). curl, go tool pprof and a browser's address bar
// pass; anything else gets 403 Forbidden.
func localOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site := r.Header.Get("Sec-Fetch-Site")
		if !loopbackHost(r.Host) || (site != "" && site != "none" && site != "same-origin") {
			http.Error(w, "pprof answers only requests to 127.0.0.1 or localhost made on the server itself (curl, go tool pprof)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a request's Host names the loopback
// interface: localhost or a loopback IP, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
