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
	"strings"
	"time"

	ui "beredskap/app"
	"beredskap/app/shift"
	"beredskap/app/vault"
	"beredskap/internal/auth"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/server"
	"beredskap/web"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data", "./data", "data directory (database and server keys)")
	noDemo := fs.Bool("no-demo", false, "start empty instead of loading demo data into a new data directory")
	offlineHours := fs.Float64("offline-hours", 8, "how many hours a shift bundle is valid offline (fractions allowed)")
	idleLock := fs.Int("idle-lock-minutes", 5, "minutes without use before a phone locks")
	tz := fs.String("tz", "Europe/Oslo", "the municipality's time zone")
	staticDir := fs.String("static-dir", "", "serve the app's files from this directory instead of the embedded ones (development)")
	keyFile := fs.String("encryption-key-file", "", "encrypt the store at rest with this key (32 bytes or 64 hex digits, a file only its owner may read); the server's key file is then wrapped under it and backups are encrypted too")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "the certificate's private key (PEM)")
	retention := fs.Int("retention-days", 30, "purge reconciled records this many days after reconciliation")
	minFree := fs.Uint64("min-free-mb", badger.DefaultMinFreeMB, "refuse records and other changes (503 insufficient_storage) while the data directory's disk has less than this many MiB free; logins stop at two thirds of it, which the database keeps for itself")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if *tlsKey != "" {
		if err := checkPrivate(*tlsKey, "--tls-key"); err != nil {
			return err
		}
	}
	if *retention < 1 {
		return fmt.Errorf("--retention-days must be at least 1")
	}
	if *minFree < 3 {
		return fmt.Errorf("--min-free-mb must be at least 3")
	}
	if *offlineHours <= 0 || *offlineHours > 72 {
		return fmt.Errorf("--offline-hours must be more than 0 and at most 72")
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	db, keys, err := openData(*dataDir, *keyFile, log, *minFree<<20)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	if err := checkUsernames(ctx, db, log); err != nil {
		return err
	}

	hasher := auth.DefaultHasher()
	demoMode := false
	if st := db.Storage(); !st.BulkWrites {
		// Starting is what matters on a full disk: /healthz, reads and the
		// desk. Demo data waits for a start with room.
		log.Warn("starting with writes refused; demo data is not loaded", "store", st.Mode, "reason", st.Reason)
	} else if demoMode, err = initialize(ctx, db, !*noDemo); err != nil {
		return err
	}
	if demoMode {
		if err := server.SeedDemo(ctx, db, hasher, time.Now(), loc); err != nil {
			return err
		}
		go refreshDemoDaily(ctx, db, hasher, loc, log)
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
	srv := server.New(server.Config{
		OfflineFor: time.Duration(*offlineHours * float64(time.Hour)), IdleLockMinutes: *idleLock, Location: loc,
		Logger: log, Hasher: hasher, TLS: *tlsCert != "", BackupKey: key,
		Retention: time.Duration(*retention) * 24 * time.Hour,
	}, db, keys, pwa)
	go srv.PurgeDaily(ctx)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Beredskap is running at %s://%s/\n", scheme, ln.Addr())
	if demoMode {
		fmt.Fprintf(stdout, "Demo logins (password %q):\n", "demo")
		for _, line := range server.DemoUsers(time.Now(), loc) {
			fmt.Fprintln(stdout, "  "+line)
		}
	}
	var tlsConfig *tls.Config
	if *tlsCert != "" {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return server.Serve(ctx, server.HTTPServer(*addr, srv.Handler(), tlsConfig), ln, *tlsCert, *tlsKey)
}

// initialize marks a new data directory, demo or not, and says whether it
// is a demo.
func initialize(ctx context.Context, db store.Setup, demo bool) (bool, error) {
	initialized, err := db.Initialized(ctx)
	if err != nil {
		return false, err
	}
	if initialized {
		return db.DemoMode(ctx)
	}
	return demo, db.MarkInitialized(ctx, demo)
}

// openData opens the store and the server keys in dir. With an
// encryption key the key file is wrapped under it; a key file still in
// clear is wrapped once the store has opened with that key (so a wrong key
// never wraps it).
func openData(dir, keyFile string, log *slog.Logger, minFree uint64) (*badger.DB, *server.Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	key, err := readKeyFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	keys, err := server.LoadKeysWithKey(dir, key)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStoreWith(dir, keyFile, badger.Options{Logger: log, MinFree: minFree})
	if err != nil {
		return nil, nil, err
	}
	if keys.NeedsWrap {
		if err := server.WrapKeysFile(dir, keys, key); err != nil {
			db.Close()
			return nil, nil, err
		}
		log.Warn("the server's key file was in clear beside an encrypted store; it is now wrapped under a key derived from the store's encryption key", "file", filepath.Join(dir, server.KeysFile))
	}
	return db, keys, nil
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

// refreshDemoDaily loads the next day's demo visits shortly after
// midnight, so that a demo server left running keeps having "today".
func refreshDemoDaily(ctx context.Context, db server.DemoStore, hasher *auth.Hasher, loc *time.Location, log *slog.Logger) {
	for {
		now := time.Now().In(loc)
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 5, 0, 0, loc)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := server.SeedDemo(ctx, db, hasher, time.Now(), loc); err != nil {
			log.Error("refresh demo data", "err", err)
		}
	}
}
