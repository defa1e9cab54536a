package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"beredskap/internal/backup"
	"beredskap/internal/durable"
	"beredskap/internal/keys"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

// readKeyFile reads a store encryption key: 32 raw bytes, or 64 hex
// digits.
func readKeyFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	if err := checkPrivate(path, "encryption key"); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	if s := strings.TrimSpace(string(b)); len(s) == 64 {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("encryption key %s: want 32 bytes or 64 hex digits, have %d bytes", path, len(b))
	}
	return b, nil
}

// checkPrivate refuses a secret file that its group or others may read:
// whoever else can read it can read the store, or pose as the server.
func checkPrivate(path, what string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s %s may be read by others than its owner (mode %04o); make it private with: chmod 600 %s", what, path, perm, path)
	}
	return nil
}

// backupHelp explains what a backup holds. The server's key file goes in
// even when the store is not encrypted: without it a restored server
// cannot open the records phones sealed before the restore, and such a
// backup already holds plaintext health data that needs the same care.
const backupHelp = `usage: beredskap backup --data DIR --out FILE [--encryption-key-file KEY] [--quiet]
       beredskap backup --store URL --encryption-key-file KEY --out FILE [--quiet]

Writes the whole store and the server's keys (%s) to FILE, a new file
with mode 0600. With --encryption-key-file the backup is encrypted (age,
with a passphrase derived from that key), and the server's keys inside it
stay wrapped under that key, as they are beside the store. Without it the
store is not
encrypted and neither is the backup: it holds plaintext health data and the
server's private keys, so keep it as protected as the data directory.
Stop the server first; while it runs, an admin downloads a backup from the
admin page instead.

With --store the PostgreSQL store is backed up: every table in one
consistent snapshot, while its servers keep running. Such a backup is
always encrypted, and the server's keys in it are those the database
keeps, wrapped under the key. It restores with restore --store into an
empty database.

`

// backupCmd is "beredskap backup --data DIR --out FILE" (or --store URL): a whole-store
// backup with the server's key file and progress, encrypted when the store
// is. The server must be stopped; while it runs, an admin downloads one
// from GET /api/v1/backup.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, backupHelp, keys.KeysFile)
		fs.PrintDefaults()
	}
	dataDir, storeURL := addStoreFlags(fs, "./data")
	out := fs.String("out", "", "backup file to write (holds the server's keys too)")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	serverKeys, err := heldServerKeys(ctx, db, *dataDir, key)
	if errors.Is(err, iofs.ErrNotExist) {
		// No server has started on this store, so no phone knows any keys.
		where := fmt.Sprintf("%s has no %s yet (the server has not started there)", *dataDir, keys.KeysFile)
		if *storeURL != "" {
			where = describeStore("", *storeURL) + " holds no server keys yet (no server has started on it)"
		}
		fmt.Fprintf(stderr, "note: %s; the backup holds the store only\n", where)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The backup appears at --out whole and synced, or not at all; an
	// existing file there is never replaced.
	f, err := durable.CreateNew(*out, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("backing up"),
		progressbar.OptionShowBytes(true), progressbar.OptionSetVisibility(!*quiet),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	n, err := backup.Write(ctx, db, f, key, serverKeys, func(b int64) { _ = bar.Set64(b) })
	_ = bar.Finish()
	if err != nil {
		f.Abort()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	withKeys := serverKeys != nil
	if err := db.Append(ctx, store.Audit{Actor: "cli", Action: store.AuditBackup, Detail: fmt.Sprintf("file=%q bytes=%d encrypted=%v server_keys=%v", filepath.Base(*out), n, key != nil, withKeys)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, encrypted: %v, server keys: %v)\n", *out, n, key != nil, withKeys)
	return nil
}

// restoreCmd is "beredskap restore --in FILE --data NEWDIR": the backup
// into a new, empty data directory, with the server's key file when the
// backup has one; or, with --store URL instead of --data, a backup of a
// PostgreSQL store into an empty database.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "new data directory (must not hold a store or server keys)")
	storeURL := fs.String("store", "", "restore a backup of a PostgreSQL store (backup --store) into the empty PostgreSQL database at this URL instead; needs --encryption-key-file")
	in := fs.String("in", "", "backup file to read")
	keyFile := fs.String("encryption-key-file", "", "the encryption key of the backed-up store, if it was encrypted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || (*dataDir == "") == (*storeURL == "") {
		return errors.New("--in is required, and one of --data (a new Badger data directory) or --store (an empty PostgreSQL database)")
	}
	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	if *storeURL != "" {
		return restoreShared(ctx, *in, *storeURL, *keyFile, key, stdout, stderr)
	}
	dir := filepath.Clean(*dataDir)
	dbDir := filepath.Join(dir, "db")
	if err := mayRestoreInto(dir, dbDir); err != nil {
		return err
	}
	backupFile, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer backupFile.Close()
	b, err := backup.Open(backupFile, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The keys go in before the store: should the restore stop between the
	// two, the directory holds keys without a store, which the next restore
	// refuses and a server shows as empty, rather than a store that a
	// server would quietly pair with new keys.
	if b.ServerKeys != nil {
		if err := keys.WriteKeysFile(dir, b.ServerKeys, key); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := b.Restore(ctx, dbDir, openRestored); err != nil {
		if b.ServerKeys != nil {
			os.Remove(filepath.Join(dir, keys.KeysFile))
		}
		return err
	}
	// The restored store is on disk, renamed into place, before the
	// command says it is done.
	if err := durable.SyncTree(dbDir); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if b.ServerKeys == nil {
		fmt.Fprintf(stderr, "warning: this backup holds no server keys (%s). Records that phones sealed but had not sent cannot be opened, and phones will not trust the server's bundles, until the old %s is copied into %s. Do that before starting the server, which otherwise makes new keys.\n",
			keys.KeysFile, keys.KeysFile, dir)
	}
	fmt.Fprintf(stdout, "restored into %s (server keys: %v); now run: beredskap audit verify --data %s\n", dir, b.ServerKeys != nil, dir)
	return nil
}

// mayRestoreInto refuses a data directory that already holds a store or
// server keys: a restore never overwrites either.
func mayRestoreInto(dir, dbDir string) error {
	if entries, err := os.ReadDir(dbDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore into %s: %w", dbDir, backup.ErrNotEmpty)
	}
	if _, err := os.Lstat(filepath.Join(dir, keys.KeysFile)); err == nil {
		return fmt.Errorf("restore into %s: it already holds %s: %w", dir, keys.KeysFile, backup.ErrNotEmpty)
	}
	return nil
}

// restoreShared restores a backup of a PostgreSQL store into the empty
// database at url: all of it in one transaction, or nothing (the store's
// Load refuses a database that holds anything). The server's keys come
// with the store's tables; a key section the tables lacked is put in.
func restoreShared(ctx context.Context, in, url, keyFile string, key []byte, stdout, stderr io.Writer) error {
	if len(key) == 0 {
		return errors.New("restore --store needs --encryption-key-file: a PostgreSQL store and its backups are sealed with it")
	}
	backupFile, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer backupFile.Close()
	b, err := backup.Open(backupFile, key)
	if err != nil {
		return err
	}
	db, err := openAnyStore(ctx, "", url, keyFile, nil)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.Close()
	loader, ok := db.(backup.CheckedLoader)
	if !ok {
		return fmt.Errorf("restore into %s: the store cannot check the server keys it loads", describeStore("", url))
	}
	// The keys are checked inside the load's transaction: a backup whose
	// keys do not fit leaves the database as empty as it was.
	var withKeys bool
	err = b.LoadChecked(ctx, loader, func(held []byte) error {
		var err error
		withKeys, err = restoredKeys(held, b.ServerKeys, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("restore into %s: %w", describeStore("", url), err)
	}
	if !withKeys {
		fmt.Fprintln(stderr, "warning: this backup holds no server keys: no server had started on the backed-up store. The first server to start on the restored one makes new keys.")
	}
	fmt.Fprintf(stdout, "restored into %s (server keys: %v); now run: beredskap audit verify --store URL --encryption-key-file %s\n", describeStore("", url), withKeys, keyFile)
	return nil
}

// restoredKeys checks the server keys a restored PostgreSQL store holds
// (held): those its tables brought, or else the backup's key section
// (which a running server's backup carries), put in by the load. They
// must open with the store's key, and be the keys of the key section when
// both are there. It says whether the store holds keys at all.
func restoredKeys(held, section, key []byte) (bool, error) {
	if len(held) == 0 {
		return false, nil
	}
	k, err := keys.Parse(held, key)
	if err != nil {
		return false, err
	}
	if len(section) > 0 {
		s, err := keys.Parse(section, key)
		if err != nil {
			return false, err
		}
		if s.KeyID() != k.KeyID() {
			return false, fmt.Errorf("the restored tables hold server key %s, the backup's key section %s: the backup is damaged", k.KeyID(), s.KeyID())
		}
	}
	return true, nil
}

// openRestored opens the Badger store a backup is restored into.
func openRestored(dir string, key []byte) (backup.Target, error) {
	return badger.Open(dir, badger.Options{EncryptionKey: key})
}
