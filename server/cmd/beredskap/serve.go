package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	ui "beredskap/app"
	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/auth"
	"beredskap/internal/bulk"
	"beredskap/internal/demo"
	"beredskap/internal/kept"
	"beredskap/internal/keys"
	"beredskap/internal/oidclogin"
	"beredskap/internal/retention"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/store/postgres"
	"beredskap/server"
	"beredskap/web"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data", "./data", "data directory (database and server keys)")
	storeURL := fs.String("store", "", "keep everything in PostgreSQL at this URL (postgres://user@host/db, several hosts as host=a,b with target_session_attrs=read-write) instead of Badger in --data; needs --encryption-key-file, and every node on the database shares it")
	noDemo := fs.Bool("no-demo", false, "start empty instead of loading demo data into a new data directory")
	offlineHours := fs.Float64("offline-hours", 8, "how many hours a shift bundle is valid offline (fractions allowed)")
	providerOutageHours := fs.Int("provider-outage-hours", 8, "how many hours a declared outage of the identity provider lasts at most before it ends by itself (1-72)")
	idleLock := fs.Int("idle-lock-minutes", 5, "minutes without use before a phone locks")
	tz := fs.String("tz", "Europe/Oslo", "the municipality's time zone")
	staticDir := fs.String("static-dir", "", "serve the app's files from this directory instead of the embedded ones (development)")
	keyFile := fs.String("encryption-key-file", "", "encrypt the store at rest with this key (32 bytes or 64 hex digits, a file only its owner may read); the server's key file is then wrapped under it and backups are encrypted too")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
	retentionDays := fs.Int("retention-days", 30, "purge reconciled records this many days after reconciliation")
	memoryMB := fs.Int("memory-limit-mb", 460, "the memory the Go runtime aims to stay within (a soft limit: the garbage collector works harder near it); 0 leaves it to GOMEMLIMIT or the runtime")
	metricsAddr := fs.String("metrics-listen", "", "also serve GET /metrics, without a login, on this address (e.g. 127.0.0.1:9464): one only the monitoring can reach; without it /metrics is on --addr for admins only")
	logFormat := fs.String("log-format", "text", "log lines as text (key=value) or json, one object a line, on stderr")
	minFree := fs.Uint64("min-free-mb", badger.DefaultMinFreeMB, "refuse records and other changes (503 insufficient_storage) while the data directory's disk has less than this many MiB free; logins stop at two thirds of it, which the database keeps for itself")
	authConfig := fs.String("auth-config", "", "log in through the municipality's identity providers (OpenID Connect) as this JSON file configures them (see internal/oidclogin.Config); without it, local passwords only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var oidcCfg *oidclogin.Config
	if *authConfig != "" {
		// Checked before anything else starts, so that a wrong field is
		// the one error of the start, naming the field.
		c, err := oidclogin.Load(*authConfig)
		if err != nil {
			return fmt.Errorf("--auth-config: %w", err)
		}
		oidcCfg = c
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if *tlsKey != "" {
		if err := checkPrivate(*tlsKey, "--tls-key"); err != nil {
			return err
		}
	}
	if *retentionDays < 1 {
		return fmt.Errorf("--retention-days must be at least 1")
	}
	if *minFree < 3 {
		return fmt.Errorf("--min-free-mb must be at least 3")
	}
	if *memoryMB < 0 {
		return fmt.Errorf("--memory-limit-mb must not be negative")
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && *memoryMB > 0 {
		// Without a limit the heap grows to twice what is live between
		// collections: at a million records the desk and Badger keep some
		// 400 MB live, which would let the process reach 900 MB. The
		// runtime fills what the limit allows, and the binary's code
		// mapped in comes on top (35–40 MB): 480 took the server to
		// 510 MB resident during exports on PostgreSQL, 460 to 490.
		debug.SetMemoryLimit(int64(*memoryMB) << 20)
	}
	if *offlineHours <= 0 || *offlineHours > 72 {
		return fmt.Errorf("--offline-hours must be more than 0 and at most 72")
	}
	if *providerOutageHours < 1 || *providerOutageHours > 72 {
		return fmt.Errorf("--provider-outage-hours must be from 1 to 72")
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	routeAppLog(log)

	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	var raw store.Store
	var srvKeys *keys.Keys
	if *storeURL != "" {
		raw, srvKeys, err = openShared(ctx, *storeURL, key, log)
	} else {
		raw, srvKeys, err = openData(*dataDir, *keyFile, log, *minFree<<20)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err := raw.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	// Everything below writes through the desk's watch, so that findings
	// and counts follow every write; the desk builds itself from the store
	// while the server starts.
	offlineFor := time.Duration(*offlineHours * float64(time.Hour))
	desk := kept.New(raw, kept.Options{OfflineFor: offlineFor, Logger: log})
	db := desk.Watch(raw)
	go desk.Run(ctx, 15*time.Second)
	if err := checkUsernames(ctx, db, log); err != nil {
		return err
	}

	hasher := auth.DefaultHasher()
	demoMode := false
	if st := db.Storage(); !st.BulkWrites {
		// Starting is what matters on a full disk: /healthz, reads and the
		// desk. Demo data waits for a start with room.
		log.Warn("starting with writes refused; demo data is not loaded", "store", st.Mode, "reason", st.Reason)
	} else if err := oneAtATime(ctx, raw, "demo", func(ctx context.Context) error {
		// Of nodes starting on one empty database at the same moment,
		// one loads the demo municipality; the others find it there.
		if demoMode, err = demo.Initialize(ctx, db, !*noDemo); err != nil || !demoMode {
			return err
		}
		return demo.Seed(ctx, db, hasher, time.Now(), loc)
	}); err != nil {
		return err
	}
	if demoMode {
		go demo.RefreshDaily(ctx, db, hasher, loc, log)
	}

	ui.Routes(shift.NewShift(shift.NewAPI(""), vault.NewMemory(), shift.Options{}))
	var static iofs.FS = web.FS
	if *staticDir != "" {
		static = os.DirFS(*staticDir)
	}
	pwa, err := server.NewAppHandler(server.AppOptions{Static: static})
	if err != nil {
		return err
	}
	// Bulk jobs the office started run here; those a stop interrupted go
	// on from where they were. The runner is waited for before the store
	// closes (the deferred Close runs after this function's return).
	jobs := bulk.New(db, bulk.Options{Logger: log})
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); jobs.Run(jobsCtx) }()
	defer func() { stopJobs(); <-jobsDone }()
	var logins *oidclogin.Logins
	var policy auth.Policy
	if oidcCfg != nil {
		if logins, err = oidclogin.New(oidcCfg, db, time.Now, log); err != nil {
			return fmt.Errorf("--auth-config: %w", err)
		}
		// A role a provider covers has no local password, unless an
		// admin declares an outage of the provider.
		policy = auth.Policy{OIDCRoles: oidcCfg.CoveredRoles()}
		for _, p := range oidcCfg.Providers {
			log.Info("identity provider", "id", p.ID, "issuer", p.Issuer, "roles", p.Roles, "acr", p.ACRValues)
		}
	}
	srv := server.New(server.Config{
		OfflineFor: offlineFor, IdleLockMinutes: *idleLock, Location: loc,
		Logger: log, Hasher: hasher, TLS: *tlsCert != "", BackupKey: key, Desk: desk, Jobs: jobs,
		LoginThrottle: throttleOf(raw), ProviderOutageMax: time.Duration(*providerOutageHours) * time.Hour,
		OIDC: logins, AuthPolicy: policy,
	}, db, srvKeys, pwa)
	go retention.Daily(ctx, purgeAlone{db, raw}, time.Duration(*retentionDays)*24*time.Hour, time.Now, log)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var metricsDone <-chan struct{}
	metricsCtx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-listen: %w", err)
		}
		metricsDone = serveMetrics(metricsCtx, srv.MetricsHandler(), mln, log)
		fmt.Fprintf(stdout, "Metrics at http://%s/metrics\n", mln.Addr())
		log.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Beredskap is running at %s://%s/\n", scheme, ln.Addr())
	if demoMode {
		fmt.Fprintf(stdout, "Demo logins (password %q):\n", "demo")
		for _, line := range demo.Logins(time.Now(), loc) {
			fmt.Fprintln(stdout, "  "+line)
		}
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String()+"/", "demo", demoMode)
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	hs := server.HTTPServer(*addr, srv.Handler(), tlsConfig)
	hs.ErrorLog = httpErrorLog(log)
	err = server.Serve(ctx, hs, ln, *tlsCert, *tlsKey)
	if metricsDone != nil {
		// The main listener ended by itself (its error is returned) or
		// because ctx is done: the metrics listener goes with it.
		stopMetrics()
		<-metricsDone
	}
	return err
}

// openShared opens the PostgreSQL store at url, which the application
// seals with storeKey (the database holds no health data in clear), and
// the server's keys, which every node on the database shares: kept in it,
// wrapped under storeKey.
func openShared(ctx context.Context, url string, storeKey []byte, log *slog.Logger) (store.Store, *keys.Keys, error) {
	if len(storeKey) == 0 {
		return nil, nil, fmt.Errorf("--store needs --encryption-key-file: the records and person cards are sealed with it before they reach the database, and the server's keys are kept in the database wrapped under it")
	}
	db, err := postgres.Open(ctx, url, postgres.Options{EncryptionKey: storeKey, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	k, err := keys.FromVault(ctx, db, storeKey)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, k, nil
}

// throttleOf is where login attempts are counted: in a store several
// servers share, for all of them; nil (each server its own) otherwise.
func throttleOf(db store.Store) store.Throttle {
	t, _ := db.(store.Throttle)
	return t
}

// oneAtATime runs fn under the store's lock named name when several
// servers share the store (store.Exclusive), and directly otherwise.
func oneAtATime(ctx context.Context, db store.Store, name string, fn func(context.Context) error) error {
	if ex, ok := db.(store.Exclusive); ok {
		return ex.Exclusive(ctx, name, fn)
	}
	return fn(ctx)
}

// purgeAlone is the store as the retention job sees it: on a store
// several servers share, one purge runs at a time, whichever server's
// daily job starts it.
type purgeAlone struct {
	store.Maintenance
	raw store.Store
}

func (p purgeAlone) PurgeReconciled(ctx context.Context, before, now time.Time) (n int, err error) {
	err = oneAtATime(ctx, p.raw, "retention", func(ctx context.Context) error {
		n, err = p.Maintenance.PurgeReconciled(ctx, before, now)
		return err
	})
	return n, err
}

// openData opens the store and the server keys in dir. With an
// encryption key the key file is wrapped under it; a key file still in
// clear is wrapped once the store has opened with that key (so a wrong key
// never wraps it).
func openData(dir, keyFile string, log *slog.Logger, minFree uint64) (*badger.DB, *keys.Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	key, err := readKeyFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	k, err := keys.LoadKeysWithKey(dir, key)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStoreWith(dir, keyFile, badger.Options{Logger: log, MinFree: minFree})
	if err != nil {
		return nil, nil, err
	}
	if k.NeedsWrap {
		if err := keys.WrapKeysFile(dir, k, key); err != nil {
			db.Close()
			return nil, nil, err
		}
		log.Warn("the server's key file was in clear beside an encrypted store; it is now wrapped under a key derived from the store's encryption key", "file", filepath.Join(dir, keys.KeysFile))
	}
	return db, k, nil
}

// openStore opens the Badger store in dir/db, explaining the usual
// failure: another process (a running server) holds it.
func openStore(dir, keyFile string, log *slog.Logger) (*badger.DB, error) {
	return openStoreWith(dir, keyFile, badger.Options{Logger: log})
}

func openStoreWith(dir, keyFile string, opts badger.Options) (*badger.DB, error) {
	key, err := readKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	opts.EncryptionKey = key
	db, err := badger.Open(filepath.Join(dir, "db"), opts)
	if err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock") {
		return nil, fmt.Errorf("%s is in use by another process (is the server running?): %w", dir, err)
	}
	return db, err
}
