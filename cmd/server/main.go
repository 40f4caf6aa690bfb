package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/grove-ml/grove/internal/cli"
	"github.com/grove-ml/grove/tracking"
	"github.com/grove-ml/grove/tracking/server"
	"github.com/grove-ml/grove/tracking/sqlstore"
	"github.com/grove-ml/grove/tracking/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(command.Exit(err, os.Stderr))
}

// command prints the error that stopped the server as one line: 2 for a
// bad command line or a port in use, 1 for a store that cannot be opened
// or any other failure. A signal is the normal way to stop, so it is 0.
var command = cli.Command{Name: "server"}

// shutdownGrace bounds how long requests in flight may take to finish.
const shutdownGrace = 10 * time.Second

type options struct {
	storeURI     string
	artifacts    string
	host         string
	port         int
	allowedHosts []string
	corsOrigins  []string
	serve        bool
	authFile     string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var hosts, origins string
	fs.StringVar(&o.storeURI, "backend-store-uri", "sqlite:///mlflow.db", "the SQLite database runs are kept in")
	fs.StringVar(&o.artifacts, "artifacts-destination", "./mlruns", "the folder artifacts are kept in")
	fs.StringVar(&o.host, "host", "127.0.0.1", "the address to listen on")
	fs.IntVar(&o.port, "port", 5000, "the port to listen on (0: any free port)")
	fs.StringVar(&hosts, "allowed-hosts", "", "comma-separated Host header values accepted besides loopback and private addresses (name, name:port, *.suffix, *)")
	fs.StringVar(&origins, "cors-allowed-origins", "", "comma-separated origins whose pages may call the API (or *)")
	fs.BoolVar(&o.serve, "serve-artifacts", true, "up- and download artifacts through the server")
	fs.StringVar(&o.authFile, "auth-file", "", "htpasswd file of bcrypt hashes: every request then needs basic credentials")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "usage: server [flags]\n\nServes MLflow's tracking API over an MLflow SQLite database, like mlflow server.\n\nFlags:")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, cli.Usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	if o.port < 0 || o.port > 65535 {
		return nil, cli.Usagef("-port must be in [0, 65535], got %d", o.port)
	}
	o.allowedHosts = splitList(hosts)
	o.corsOrigins = splitList(origins)
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var users *server.Htpasswd
	if o.authFile != "" {
		if users, err = server.ReadHtpasswd(o.authFile); err != nil {
			return cli.Usagef("-auth-file: %v", strings.TrimPrefix(err.Error(), "server: "))
		}
	}
	loc, err := tracking.ParseURI(o.storeURI)
	if err != nil {
		return fmt.Errorf("-backend-store-uri: %w", err)
	}
	if loc.Kind != tracking.KindSQLite {
		return fmt.Errorf("-backend-store-uri %q: the server keeps runs in a SQLite database (sqlite:///path/to/mlflow.db)", tracking.Redact(o.storeURI))
	}
	artifacts, err := filepath.Abs(o.artifacts)
	if err != nil {
		return fmt.Errorf("-artifacts-destination: %w", err)
	}

	// Listen before opening the store, so that a busy port costs nothing.
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return cli.Usagef("port %d on %s is in use; stop what holds it or pick another with -port", o.port, o.host)
		}
		return cli.Usagef("cannot listen on %s port %d: %v", o.host, o.port, err)
	}
	defer ln.Close()

	st, err := sqlstore.Open(ctx, loc.Path, sqlstore.Options{ArtifactRoot: artifacts})
	if err != nil {
		return fmt.Errorf("-backend-store-uri %s: %w", o.storeURI, err)
	}
	cfg := server.Config{Store: st, ErrorLog: log.New(stderr, "server: ", log.LstdFlags)}
	if o.serve {
		cfg.ArtifactRoot = artifacts
	}
	pages := ui.New(st, ui.Options{ArtifactRoot: cfg.ArtifactRoot, Logger: cfg.ErrorLog})
	h := server.Protect(mount(server.New(cfg), pages), server.Guard{AllowedHosts: o.allowedHosts, CORSOrigins: o.corsOrigins, Users: users})
	srv := &http.Server{
		Handler:           h,
		ErrorLog:          log.New(stderr, "server: ", log.LstdFlags),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	if !server.IsLoopback(o.host) && users == nil {
		fmt.Fprintf(stderr, "server: warning: listening on %s without -auth-file: anyone who can reach this port can read and write every run\n", o.host)
	}
	fmt.Fprintf(stdout, "server: serving %s at http://%s (artifacts in %s)\n", o.storeURI, ln.Addr(), artifacts)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(sctx)
		cancel()
		if err != nil {
			err = fmt.Errorf("requests still running after %s were cut off", shutdownGrace)
			srv.Close()
		}
		fmt.Fprintln(stdout, "server: stopped")
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if cerr := st.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("closing the store: %w", cerr)
	}
	return err
}

// mount sends MLflow's API paths to api and every other path to the web UI,
// as mlflow server serves its UI at / beside the API. The API's paths are
// matched by prefix, not through a ServeMux, so that the API sees every path
// as sent (a ServeMux would redirect a path with ".." instead of letting the
// API refuse it).
func mount(api, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/health", p == "/version", p == "/get-artifact",
			strings.HasPrefix(p, "/api/"), strings.HasPrefix(p, "/ajax-api/"):
			api.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	})
}
