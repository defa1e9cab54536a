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
	"slices"
	"sync"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/kept"
	"beredskap/internal/keys"
	"beredskap/internal/oidclogin"
	"beredskap/internal/store"
	"beredskap/internal/wire"
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
	// BackupKey encrypts backups downloaded from the admin page; it is the
	// store's encryption key when the store is encrypted.
	BackupKey []byte
	// LoginPolicy limits password guessing; zero means
	// auth.DefaultLoginPolicy.
	LoginPolicy auth.LoginPolicy
	// LoginThrottle, when set (a store several servers share), is where
	// login attempts are counted, for every server together; otherwise
	// each server counts its own.
	LoginThrottle store.Throttle
	// Desk keeps the findings and counts; the store given to New must be
	// Desk.Watch's, so that it sees every write. Nil makes one over the
	// store (and watches it) that builds itself on first use.
	Desk *kept.Keeper
	// Counter counts the records a filter selects (the "of 31 417" of
	// the records list); nil counts with the desk.
	Counter RecordCounter
	// OIDC, when set (--auth-config), runs logins through the
	// municipality's identity providers; nil is password login only.
	OIDC *oidclogin.Logins
	// Jobs is woken when a bulk job is started, so that it starts at
	// once; nil leaves it to the runner's next look.
	Jobs JobWaker
	// AuthPolicy names the roles that log in through the identity
	// provider: their local passwords are off unless a provider outage
	// is declared. The zero policy covers no role.
	AuthPolicy auth.Policy
	// ProviderOutageMax is how long a declared provider outage lasts at
	// most before it ends by itself; zero means DefaultProviderOutageMax.
	ProviderOutageMax time.Duration
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
	if c.ProviderOutageMax <= 0 {
		c.ProviderOutageMax = DefaultProviderOutageMax
	}
	if c.LoginPolicy == (auth.LoginPolicy{}) {
		c.LoginPolicy = auth.DefaultLoginPolicy()
	}
}

// Server serves the API and the app.
type Server struct {
	cfg  Config
	db   store.Store
	keys *keys.Keys
	log  *slog.Logger
	pwa  http.Handler
	desk *kept.Keeper

	loginLimits *auth.LoginLimits
	// oidcStarts bounds the logins through a provider an address starts:
	// each start is a row in the store for ten minutes, and anyone may
	// ask for one.
	oidcStarts *auth.Limiter

	met            *telemetry
	metricsHandler http.Handler

	dummyOnce sync.Once
	dummy     string
}

// New builds a server over an open store and the server's keys. pwa serves
// the app (see NewAppHandler); nil serves the API only.
func New(cfg Config, db store.Store, keys *keys.Keys, pwa http.Handler) *Server {
	cfg.defaults()
	if cfg.Desk == nil {
		cfg.Desk = kept.New(db, kept.Options{OfflineFor: cfg.OfflineFor, Now: cfg.Now, Logger: cfg.Logger})
		db = cfg.Desk.Watch(db)
	}
	if cfg.Counter == nil {
		cfg.Counter = cfg.Desk
	}
	met := newTelemetry()
	limits := auth.NewLoginLimits(cfg.LoginPolicy)
	if cfg.LoginThrottle != nil {
		limits = auth.NewSharedLoginLimits(cfg.LoginPolicy, cfg.LoginThrottle, cfg.Logger)
	}
	return &Server{
		cfg: cfg, db: db, keys: keys, log: cfg.Logger, pwa: pwa, desk: cfg.Desk,
		loginLimits: limits, oidcStarts: auth.NewLimiter(oidcStartBurst, oidcStartEvery),
		met: met, metricsHandler: met.handler(cfg.Logger),
	}
}

// Route is one endpoint: who may call it, and what answers.
type Route struct {
	Method, Path string
	// Roles may call it; nil means anyone, without a session.
	Roles   []care.Role
	handler http.HandlerFunc
}

// revokedMayCall lists what a session on a revoked phone may still do:
// deliver its records (they are quarantined and the answer wipes the
// phone) and log out. Anything else, such as registering a new device key
// to fetch a fresh bundle, is refused.
var revokedMayCall = map[string]bool{"POST /api/v1/sync": true, "DELETE /api/v1/session": true}

var (
	shiftRoles  = []care.Role{care.RoleWorker, care.RoleNurse}
	officeRoles = []care.Role{care.RoleCoordinator, care.RoleAdmin}
	adminRoles  = []care.Role{care.RoleAdmin}
	anyRole     = []care.Role{care.RoleWorker, care.RoleNurse, care.RoleCoordinator, care.RoleAdmin}
)

// Routes lists every API endpoint with the roles that may call it: the
// one table that says who may do what. Handlers check again where the
// answer depends on more than the role (a coordinator's own units).
func (s *Server) Routes() []Route {
	return []Route{
		{"GET", "/healthz", nil, s.health},
		{"GET", "/readyz", nil, s.ready},
		{"GET", "/metrics", adminRoles, s.metricsPage},
		{"POST", "/api/v1/session", nil, s.login},
		{"DELETE", "/api/v1/session", anyRole, s.logout},
		{"GET", "/api/v1/oidc/providers", nil, s.oidcProviders},
		{"GET", "/api/v1/oidc/start", nil, s.oidcStart},
		{"GET", "/api/v1/oidc/callback", nil, s.oidcCallback},
		{"POST", "/api/v1/oidc/exchange", nil, s.oidcExchange},
		{"POST", "/api/v1/devices", anyRole, s.registerDevice},
		{"PUT", "/api/v1/me/lang", anyRole, s.setLang},
		{"GET", "/api/v1/bundle", shiftRoles, s.bundle},
		{"POST", "/api/v1/sync", shiftRoles, s.sync},
		{"GET", "/api/v1/records", officeRoles, s.listRecords},
		{"GET", "/api/v1/records/{id}", officeRoles, s.getRecord},
		{"POST", "/api/v1/records/{id}/reconcile", officeRoles, s.reconcile},
		{"POST", "/api/v1/records/reconcile", officeRoles, s.reconcile},
		{"POST", "/api/v1/records/reconcile-jobs", officeRoles, s.startReconcileJob},
		{"GET", "/api/v1/records/reconcile-jobs", officeRoles, s.listReconcileJobs},
		{"GET", "/api/v1/records/reconcile-jobs/{id}", officeRoles, s.getReconcileJob},
		{"GET", "/api/v1/findings", officeRoles, s.findings},
		{"POST", "/api/v1/findings/{id}/resolve", officeRoles, s.resolveFinding},
		{"GET", "/api/v1/dashboard", officeRoles, s.dashboard},
		{"GET", "/api/v1/directory", officeRoles, s.directory},
		{"GET", "/api/v1/audit", officeRoles, s.auditLog},
		{"GET", "/api/v1/export/csv", officeRoles, s.exportRecords("csv")},
		{"GET", "/api/v1/export/fhir", officeRoles, s.exportRecords("fhir")},
		{"POST", "/api/v1/plan", officeRoles, s.importPlan},
		{"GET", "/api/v1/routines", officeRoles, s.listRoutines},
		{"POST", "/api/v1/routines", officeRoles, s.saveRoutine},
		{"PUT", "/api/v1/routines/{id}", officeRoles, s.saveRoutine},
		{"GET", "/api/v1/routines/{id}/versions", officeRoles, s.routineVersions},
		{"GET", "/api/v1/announcements", officeRoles, s.listAnnouncements},
		{"POST", "/api/v1/announcements", officeRoles, s.postAnnouncement},
		{"GET", "/api/v1/outage", officeRoles, s.outages},
		{"POST", "/api/v1/outage", officeRoles, s.changeOutage},
		{"GET", "/api/v1/priority", officeRoles, s.priority},
		{"GET", "/api/v1/readiness", officeRoles, s.readiness},
		{"POST", "/api/v1/readiness/remind", officeRoles, s.remindReadiness},
		{"GET", "/api/v1/binder.pdf", officeRoles, s.binderPDF},
		{"GET", "/api/v1/equipment.pdf", officeRoles, s.equipmentPDF},
		{"GET", "/api/v1/users", adminRoles, s.listUsers},
		{"POST", "/api/v1/users", adminRoles, s.addUser},
		{"POST", "/api/v1/users/{id}/disable", adminRoles, s.disableUser},
		{"POST", "/api/v1/users/{id}/reset", adminRoles, s.resetUser},
		{"POST", "/api/v1/users/{id}/rename", adminRoles, s.renameUser},
		{"GET", "/api/v1/users/{id}/identities", adminRoles, s.listIdentities},
		{"POST", "/api/v1/users/{id}/identities", adminRoles, s.linkIdentity},
		{"DELETE", "/api/v1/users/{id}/identities", adminRoles, s.unlinkIdentity},
		{"POST", "/api/v1/devices/{id}/revoke", adminRoles, s.revokeDevice},
		// The lost-phone exposure report (exposure.go).
		{"GET", "/api/v1/devices/{id}/exposure", officeRoles, s.deviceExposure},
		{"POST", "/api/v1/devices/{id}/exposure/checklist/{item}", officeRoles, s.tickExposure},
		{"POST", "/api/v1/devices/{id}/lost", officeRoles, s.deviceLost},
		// Sync health after an outage (synchealth.go).
		{"GET", "/api/v1/sync-health", officeRoles, s.syncHealth},
		{"GET", "/api/v1/devices/{id}/sync-health", officeRoles, s.deviceSyncHealth},
		// Drills (drills.go).
		{"POST", "/api/v1/drills", officeRoles, s.startDrill},
		{"GET", "/api/v1/drills", officeRoles, s.listDrills},
		{"GET", "/api/v1/drills/{id}", officeRoles, s.getDrill},
		{"POST", "/api/v1/drills/{id}/end", officeRoles, s.changeDrill("end")},
		{"POST", "/api/v1/drills/{id}/network-back", officeRoles, s.changeDrill("network-back")},
		{"GET", "/api/v1/drills/{id}/report", officeRoles, s.drillReport},
		{"GET", "/api/v1/drills/{id}/report.pdf", officeRoles, s.drillReportPDF},
		{"GET", "/api/v1/me/devices", anyRole, s.ownDevices},
		{"POST", "/api/v1/me/devices/{id}/lost", anyRole, s.ownDeviceLost},
		{"GET", "/api/v1/backup", adminRoles, s.backup},
		// Logging in without the identity provider (provider_outage.go,
		// fallback_codes.go, break_glass.go).
		{"GET", "/api/v1/provider-outage", nil, s.providerOutageStatus},
		{"POST", "/api/v1/provider-outage", adminRoles, s.changeProviderOutage},
		{"POST", "/api/v1/session/fallback", nil, s.fallbackLogin},
		{"POST", "/api/v1/session/break-glass", nil, s.breakGlassLogin},
		{"GET", "/api/v1/break-glass", officeRoles, s.breakGlassUses},
		{"GET", "/api/v1/users/{id}/fallback-codes", adminRoles, s.fallbackSheetStatus},
		{"POST", "/api/v1/users/{id}/fallback-codes", adminRoles, s.issueFallbackSheet},
	}
}

// Handler returns the complete HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		h := http.Handler(rt.handler)
		if rt.Roles != nil {
			h = s.authed(s.allow(rt.Roles, revokedMayCall[rt.Method+" "+rt.Path], rt.handler))
		}
		h = s.guardStorage(rt.Method, rt.Path, h)
		mux.Handle(rt.Method+" "+rt.Path, h)
	}
	mux.HandleFunc("/api/", s.apiNotFound)
	mux.HandleFunc("GET /robots.txt", robots)
	if s.pwa != nil {
		mux.Handle("/", s.pwa)
	}
	return s.met.observe(mux, logRequests(s.log, securityHeaders(s.cfg.TLS, s.requireBodyType(mux))))
}

// allow refuses callers whose role is not in roles, and sessions of a
// revoked phone unless revokedOK.
func (s *Server) allow(roles []care.Role, revokedOK bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := callerFrom(r.Context())
		if !slices.Contains(roles, c.Role) {
			s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "your role may not do this").WithKey(keyForbidden))
			return
		}
		if c.DeviceRevoked && !revokedOK {
			s.writeError(w, r, wire.Errorf(wire.CodeDeviceRevoked, "this device has been revoked"))
			return
		}
		next(w, r)
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.healthBody())
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

// ShutdownTimeout is how long Serve lets requests in progress finish once
// it is told to stop; HandlerGrace is how long it then waits for the
// handlers of the connections it cut off to return.
const (
	ShutdownTimeout = 15 * time.Second
	HandlerGrace    = 5 * time.Second
)

// Serve runs srv on ln until ctx is done, then shuts down gracefully: new
// connections are refused and requests in progress get ShutdownTimeout
// to finish. No request holds the shutdown beyond it: then every
// connection is closed, which cancels the requests' contexts (a binder
// being laid out stops), and Serve returns once their handlers have (at
// most HandlerGrace later), so that the store is not closed under them.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, certFile, keyFile string) error {
	return serveUntil(ctx, srv, ln, certFile, keyFile, ShutdownTimeout, HandlerGrace)
}

func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, certFile, keyFile string, timeout, grace time.Duration) error {
	running := &inFlight{}
	next := srv.Handler
	if next == nil {
		next = http.DefaultServeMux
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		running.add(1)
		defer running.add(-1)
		next.ServeHTTP(w, r)
	})
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		cerr := srv.Close()
		<-errc
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-running.idle():
		case <-timer.C:
		}
		return fmt.Errorf("shutdown: requests still running after %s were cut off: %w", timeout, errors.Join(err, cerr))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// inFlight counts the handlers running; idle's channel is closed while
// there are none.
type inFlight struct {
	mu   sync.Mutex
	n    int
	none chan struct{} // nil: none has been running yet
}

func (f *inFlight) add(d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 && d > 0 {
		f.none = make(chan struct{})
	}
	f.n += d
	if f.n == 0 && d < 0 {
		close(f.none)
	}
}

func (f *inFlight) idle() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.none == nil {
		f.none = make(chan struct{})
		close(f.none)
	}
	return f.none
}
