// Command quayside-static serves a directory of static files over HTTP. The
// static buildpack of Quayside's offline builder ships it, compiled by
// `make builder` with CGO_ENABLED=0, so a site with an index.html builds
// without compiling anything.
//
//	quayside-static [-root DIR] [-addr HOST:PORT]
//
// It listens on :$PORT (:8080 when PORT is unset), answers GET and HEAD only,
// never lists a directory (a directory answers with its index.html, "/about"
// with about.html), refuses paths outside the root and dotfiles, answers
// conditional requests (ETag from the content, Last-Modified) and range
// requests, and tells browsers to revalidate HTML and unfingerprinted files
// while keeping fingerprinted assets (app.3f9a2c1d.js) for a year. A 404.html
// at the root is the not-found page. SIGTERM stops it gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// shutdownGrace is how long in-flight requests may finish after SIGTERM.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quayside-static:", err)
		stop()
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts down gracefully. It prints the
// address it listens on to stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("quayside-static", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "directory to serve")
	addr := fs.String("addr", "", "address to listen on (default :$PORT, or :8080 when PORT is unset)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w (usage: quayside-static [-root DIR] [-addr HOST:PORT])", err)
	}
	listen, err := listenAddress(*addr, getenv("PORT"))
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	h, err := NewHandler(*root, logger)
	if err != nil {
		return err
	}
	defer h.Close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	fmt.Fprintf(stdout, "quayside-static: serving %s on %s\n", *root, ln.Addr())
	return serve(ctx, ln, h)
}

// listenAddress picks the -addr flag, else :$PORT, else :8080.
func listenAddress(flagAddr, port string) (string, error) {
	if flagAddr != "" {
		return flagAddr, nil
	}
	if port == "" {
		return ":8080", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("PORT=%q is not a port number (1-65535)", port)
	}
	return ":" + port, nil
}

// serve answers on ln until ctx ends, then lets requests finish.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
