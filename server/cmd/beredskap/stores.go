package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"beredskap/internal/keys"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
)

// storeFlagHelp is the --store flag of the commands beside serve: the
// same store serve --store runs on.
const storeFlagHelp = "the PostgreSQL store at this URL (as serve --store gives it) instead of Badger in --data; needs --encryption-key-file, the key the servers on it share"

// addStoreFlags adds --data and --store to a command's flags.
func addStoreFlags(fs *flag.FlagSet, dataDefault string) (dataDir, storeURL *string) {
	return fs.String("data", dataDefault, "data directory (Badger)"), fs.String("store", "", storeFlagHelp)
}

// oneStore refuses --data and --store given together: a command works on
// one store, and an operator who names two has mistaken one of them.
func oneStore(fs *flag.FlagSet) error {
	data, shared := false, false
	fs.Visit(func(f *flag.Flag) {
		data = data || f.Name == "data"
		shared = shared || f.Name == "store"
	})
	if data && shared {
		return errors.New("give --data (a Badger store) or --store (PostgreSQL), not both")
	}
	return nil
}

// openAnyStore opens the store a command works on: PostgreSQL at
// storeURL when it is given, sealed with the key in keyFile (required
// there), and otherwise Badger in dataDir (which a running server holds:
// the command fails then). Several servers and commands may share a
// PostgreSQL store at once.
func openAnyStore(ctx context.Context, dataDir, storeURL, keyFile string, log *slog.Logger) (store.Store, error) {
	if storeURL == "" {
		return openStore(dataDir, keyFile, log)
	}
	key, err := readKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, errors.New("--store needs --encryption-key-file: the store's records, person cards and server keys are sealed with it")
	}
	db, err := postgres.Open(ctx, storeURL, postgres.Options{EncryptionKey: key, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", describeStore("", storeURL), err)
	}
	return db, nil
}

// heldServerKeys returns the server's key file as the store keeps it
// (wrapped under the store's key when it has one): the file beside a
// Badger store, or the one a PostgreSQL store holds. It is
// iofs.ErrNotExist when no server has started on the store yet.
func heldServerKeys(ctx context.Context, db store.Store, dataDir string, key []byte) ([]byte, error) {
	vault, ok := db.(store.KeyVault)
	if !ok {
		return keys.ReadKeysFile(dataDir, key)
	}
	// Nothing is proposed: a backup reads the keys, it never makes them.
	b, err := vault.ServerKeys(ctx, nil)
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("the store holds no server keys yet: %w", iofs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	// A key file that does not open with this key is refused here rather
	// than found out at the restore.
	if _, err := keys.Parse(b, key); err != nil {
		return nil, err
	}
	return b, nil
}

// describeStore names a store for messages: the Badger directory, or
// the PostgreSQL database and its hosts, without the URL's password.
func describeStore(dataDir, storeURL string) string {
	if storeURL == "" {
		return filepath.Join(dataDir, "db")
	}
	cfg, err := pgconn.ParseConfig(storeURL)
	if err != nil {
		return "the PostgreSQL store"
	}
	hosts := fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
	for _, fb := range cfg.Fallbacks {
		hosts += fmt.Sprintf(",%s:%d", fb.Host, fb.Port)
	}
	return fmt.Sprintf("PostgreSQL database %q on %s", cfg.Database, hosts)
}
