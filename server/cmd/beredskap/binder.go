package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"beredskap/internal/binder"
	"beredskap/internal/durable"
	"beredskap/internal/store"
)

// binderCmd is "beredskap binder --data DIR --unit U [--date D] --out
// FILE": the printable emergency binder of one unit for one day, for the
// evening before a planned outage or when the server is already stopped.
func binderCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("binder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	unit := fs.String("unit", "", "unit id")
	date := fs.String("date", "", "day to print, YYYY-MM-DD (default today)")
	out := fs.String("out", "", "PDF file to write")
	lang := fs.String("lang", "nb", "language: nb, sv, da or en")
	tz := fs.String("tz", "Europe/Oslo", "the municipality's time zone")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *unit == "" || *out == "" {
		return fmt.Errorf("--unit and --out are required")
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	now := time.Now()
	day := now
	if *date != "" {
		if day, err = time.ParseInLocation(time.DateOnly, *date, loc); err != nil {
			return fmt.Errorf("--date must be YYYY-MM-DD: %w", err)
		}
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := binder.Load(ctx, db, *unit, day, loc, *lang)
	if err != nil {
		if units, uerr := db.Units(ctx); uerr == nil {
			fmt.Fprintln(stderr, "units in this store:")
			for _, u := range units {
				fmt.Fprintf(stderr, "  %s  %s\n", u.ID, u.Name)
			}
		}
		return err
	}
	d.Generated = now
	var buf bytes.Buffer
	if err := binder.Render(ctx, &buf, d); err != nil {
		return err
	}
	if err := db.Append(ctx, store.Audit{Time: now, Actor: "cli", Action: store.AuditExport, Subject: *unit,
		Detail: fmt.Sprintf("format=binder date=%s file=%q", d.Day.Format(time.DateOnly), *out)}); err != nil {
		return err
	}
	// Write the whole file or nothing, and durably: a half-written binder
	// is worse than an error on the screen.
	if err := durable.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write binder: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d patients, %d visits, %d doses, %d routines (%d bytes)\n",
		*out, len(d.Patients), len(d.Visits), len(d.Doses), len(d.Routines), buf.Len())
	return nil
}
