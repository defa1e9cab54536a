package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"beredskap/internal/backup"
	"beredskap/internal/store"
)

// readKeyFile reads a store encryption key: 32 raw bytes, or 64 hex
// digits.
func readKeyFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
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

// backupCmd is "beredskap backup --data DIR --out FILE": a whole-store
// backup with progress, encrypted when the store is. The server must be
// stopped; while it runs, an admin downloads one from GET /api/v1/backup.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "./data", "data directory")
	out := fs.String("out", "", "backup file to write")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	db, err := openStore(*dataDir, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("backing up"),
		progressbar.OptionShowBytes(true), progressbar.OptionSetVisibility(!*quiet),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	n, err := backup.Write(ctx, db, f, key, func(b int64) { _ = bar.Set64(b) })
	_ = bar.Finish()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	if err := db.Append(ctx, store.Audit{Actor: "cli", Action: store.AuditBackup, Detail: fmt.Sprintf("file=%q bytes=%d encrypted=%v", filepath.Base(*out), n, key != nil)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes, encrypted: %v)\n", *out, n, key != nil)
	return nil
}

// restoreCmd is "beredskap restore --in FILE --data NEWDIR": the backup
// into a new, empty data directory.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "new data directory (must not exist or be empty)")
	in := fs.String("in", "", "backup file to read")
	keyFile := fs.String("encryption-key-file", "", "the encryption key of the backed-up store, if it was encrypted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dataDir == "" || *in == "" {
		return errors.New("--in and --data are required")
	}
	key, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := backup.Restore(ctx, f, filepath.Join(*dataDir, "db"), key); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored into %s; copy the server's key file (server-keys.json) there too, then run: beredskap audit verify --data %s\n", *dataDir, *dataDir)
	return nil
}
