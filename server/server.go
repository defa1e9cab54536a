// Package server is Beredskap's HTTP side: the v1 JSON API of DESIGN §5,
// the go-app handler that serves the offline-capable app, and the static
// files, behind security headers and timeouts.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/store"
)

// Config holds everything the server needs; cmd/beredskap fills it from
// flags.
type Config struct {
	// OfflineFor is how long a shift bundle is valid offline.
	OfflineFor time.Duration
	// IdleLockMinutes is how long a phone stays unlocked without use.
	IdleLockMinutes int
	// SessionTTL is how long a login lasts; it outlives the bundle so that a
	// phone can sync after the outage without logging in again.
	SessionTTL time.Duration
	// Location is the municipality's time zone.
	Location *time.Location
	// TLS is on when the server terminates HTTPS itself (adds HSTS).
	TLS bool
	// Logger receives request and error logs.
	Logger *slog.Logger
	// Hasher hashes and checks passwords.
	Hasher *auth.Hasher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.OfflineFor <= 0 {
		c.OfflineFor = 8 * time.Hour
	}
	if c.IdleLockMinutes <= 0 {
		c.IdleLockMinutes = 5
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = c.OfflineFor + 16*time.Hour
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Hasher == nil {
		c.Hasher = auth.DefaultHasher()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server serves the API and the app.
type Server struct {
	cfg  Config
	db   *store.DB
	keys *Keys
	log  *slog.Logger
	pwa  http.Handler

	accountLimiter *auth.Limiter
	addressLimiter *auth.Limiter

	dummyOnce sync.Once
	dummy     string
}

// New builds a server over an open store and the server's keys. pwa serves
// the app (see NewAppHandler); nil serves the API only.
func New(cfg Config, db *store.DB, keys *Keys, pwa http.Handler) *Server {
	cfg.defaults()
	return &Server{
		cfg: cfg, db: db, keys: keys, log: cfg.Logger, pwa: pwa,
		// Five wrong passwords per account, then one more every three
		// minutes; an address gets more room because a whole care unit may
		// share one office network.
		accountLimiter: auth.NewLimiter(5, 3*time.Minute),
		addressLimiter: auth.NewLimiter(30, 10*time.Second),
	}
}

// Handler returns the complete HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("POST /api/v1/session", s.login)
	mux.Handle("DELETE /api/v1/session", s.authed(s.logout))
	mux.Handle("POST /api/v1/devices", s.authed(s.registerDevice))
	mux.Handle("GET /api/v1/bundle", s.authed(s.bundle))
	mux.Handle("POST /api/v1/sync", s.authed(s.sync))
	mux.Handle("GET /api/v1/records", s.authed(s.listRecords))
	mux.Handle("GET /api/v1/records/{id}", s.authed(s.getRecord))
	mux.Handle("POST /api/v1/records/{id}/reconcile", s.authed(s.reconcile))
	mux.Handle("POST /api/v1/records/reconcile", s.authed(s.reconcile))
	mux.Handle("GET /api/v1/findings", s.authed(s.findings))
	mux.Handle("POST /api/v1/findings/{id}/resolve", s.authed(s.resolveFinding))
	mux.Handle("GET /api/v1/dashboard", s.authed(s.dashboard))
	mux.Handle("GET /api/v1/directory", s.authed(s.directory))
	mux.Handle("GET /api/v1/audit", s.authed(s.auditLog))
	mux.Handle("GET /api/v1/export/csv", s.authed(s.exportRecords("csv")))
	mux.Handle("GET /api/v1/export/fhir", s.authed(s.exportRecords("fhir")))
	mux.Handle("POST /api/v1/plan", s.authed(s.importPlan))
	mux.Handle("GET /api/v1/routines", s.authed(s.listRoutines))
	mux.Handle("POST /api/v1/routines", s.authed(s.saveRoutine))
	mux.Handle("PUT /api/v1/routines/{id}", s.authed(s.saveRoutine))
	mux.Handle("GET /api/v1/routines/{id}/versions", s.authed(s.routineVersions))
	mux.Handle("GET /api/v1/announcements", s.authed(s.listAnnouncements))
	mux.Handle("POST /api/v1/announcements", s.authed(s.postAnnouncement))
	mux.Handle("GET /api/v1/outage", s.authed(s.outages))
	mux.Handle("POST /api/v1/outage", s.authed(s.changeOutage))
	mux.Handle("GET /api/v1/priority", s.authed(s.priority))
	mux.HandleFunc("/api/", s.apiNotFound)
	mux.HandleFunc("GET /robots.txt", robots)
	if s.pwa != nil {
		mux.Handle("/", s.pwa)
	}
	return logRequests(s.log, securityHeaders(s.cfg.TLS, mux))
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("User-agent: *\nDisallow: /\n"))
}

// HTTPServer wraps h in an http.Server with timeouts, so that a slow or
// idle client cannot hold connections open for ever.
func HTTPServer(addr string, h http.Handler, tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Serve runs srv on ln until ctx is done, then shuts down gracefully.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, certFile, keyFile string) error {
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
