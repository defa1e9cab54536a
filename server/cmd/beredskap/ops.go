package main

import (
	"context"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/server"
)

// newLogger is the one logger everything serve runs writes through:
// text (key=value, as before) or JSON, one object a line, for a log
// collector.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
	}
}

// httpErrorLog gives net/http's own complaints (a TLS handshake that
// failed, a handler that panicked) to the logger: without it they go to
// the log package's standard logger, in another format.
func httpErrorLog(log *slog.Logger) *stdlog.Logger {
	return slog.NewLogLogger(log.With("source", "net/http").Handler(), slog.LevelWarn)
}

// appLog is the logger go-app's handler writes through; go-app's own
// logger prints coloured lines to stdout.
var (
	appLog     atomic.Pointer[slog.Logger]
	appLogOnce sync.Once
)

// routeAppLog sends what go-app logs on the server (a page it could not
// render) to log. go-app has one logger for the process, set here once;
// the logger it writes to is swapped atomically, so that a second serve in
// one process (the tests) does not race the first's requests.
func routeAppLog(log *slog.Logger) {
	appLog.Store(log.With("source", "go-app"))
	appLogOnce.Do(func() {
		app.DefaultLogger = func(format string, v ...any) {
			level := slog.LevelInfo
			for _, a := range v {
				if _, ok := a.(error); ok {
					level = slog.LevelError
				}
			}
			appLog.Load().Log(context.Background(), level, fmt.Sprintf(format, v...))
		}
	})
}

// serveMetrics serves h (GET /metrics only) on ln until ctx is done; the
// channel is closed once it has stopped. It has no TLS and no login: its
// address is one that only the monitoring reaches. Its failure is logged,
// not fatal: the care server goes on without its metrics.
func serveMetrics(ctx context.Context, h http.Handler, ln net.Listener, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	hs := server.HTTPServer(ln.Addr().String(), h, nil)
	hs.ErrorLog = httpErrorLog(log)
	go func() {
		defer close(done)
		if err := server.Serve(ctx, hs, ln, "", ""); err != nil {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return done
}
