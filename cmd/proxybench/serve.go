package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only on -pprof, for profiling the proxy under load
	"os"
	"os/signal"
	"syscall"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/proxy"
	"github.com/quayside/quayside/ui/metrics"
)

// serve runs Quayside's proxy with one real app (host -host, backend
// -backend) and apps-1 dummy apps whose backends are never contacted, over
// HTTP and HTTPS (HTTP/2 enabled), with the daemon's metrics observer
// unless -metrics=false, as the product serves it, until SIGINT or SIGTERM.
func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	backend := fs.String("backend", "", "address of the backend every request goes to")
	httpAddr := fs.String("http", "127.0.0.1:0", "HTTP listen address")
	httpsAddr := fs.String("https", "", "HTTPS listen address (needs -cert and -key)")
	certFile := fs.String("cert", "", "PEM certificate for HTTPS")
	keyFile := fs.String("key", "", "PEM key for HTTPS")
	apps := fs.Int("apps", 1, "number of apps in the route table")
	host := fs.String("host", "bench.test", "host name of the app the benchmark requests")
	pprofAddr := fs.String("pprof", "", "serve net/http/pprof here when set")
	observe := fs.Bool("metrics", true, "report every request to the metrics, as the daemon does")
	_ = fs.Parse(args)
	if *backend == "" {
		return errors.New("-backend is required")
	}

	opts := proxy.Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if *observe {
		opts.Observer = observer{metrics.New(metrics.Config{})}
	}
	p := proxy.New(opts)
	defer p.Close()
	p.SetRoute(engine.Route{App: "bench", Hosts: []string{*host}, Backends: []string{*backend}})
	for i := 1; i < *apps; i++ {
		p.SetRoute(engine.Route{
			App:      fmt.Sprintf("dummy-%d", i),
			Hosts:    []string{fmt.Sprintf("dummy-%d.%s", i, *host)},
			Backends: []string{fmt.Sprintf("127.0.1.%d:%d", i%250+1, 20000+i)}, // never contacted
		})
	}

	errc := make(chan error, 3)
	listen := func(srv *http.Server, tlsOn bool) error {
		l, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		go func() {
			if tlsOn {
				errc <- srv.ServeTLS(l, "", "")
			} else {
				errc <- srv.Serve(l)
			}
		}()
		return nil
	}
	if err := listen(proxy.NewServer(*httpAddr, p), false); err != nil {
		return err
	}
	if *httpsAddr != "" {
		crt, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load certificate: %w", err)
		}
		srv := proxy.NewServer(*httpsAddr, p)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{crt}, NextProtos: []string{"h2", "http/1.1"}}
		if err := listen(srv, true); err != nil {
			return err
		}
	}
	if *pprofAddr != "" {
		go func() { errc <- http.ListenAndServe(*pprofAddr, nil) }()
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sig:
		return nil
	case err := <-errc:
		return err
	}
}
