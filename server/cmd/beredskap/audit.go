package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"beredskap/internal/store"
)

// auditCmd is "beredskap audit verify --data DIR" (or --store URL): it walks the hash chain
// and names the first broken entry.
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: beredskap audit verify --data DIR | --store URL --encryption-key-file KEY")
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.VerifyAudit(ctx)
	var ce *store.ChainError
	if errors.As(err, &ce) {
		fmt.Fprintf(stdout, "audit log BROKEN at entry %d: %s\n", ce.Seq, ce.Reason)
		return fmt.Errorf("audit log broken at entry %d", ce.Seq)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries, each carrying the hash of the one before (%s)\n", n, describeStore(*dataDir, *storeURL))
	return nil
}
