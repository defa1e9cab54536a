package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"beredskap/internal/plan"
	"beredskap/internal/store"
)

// importCmd is "beredskap import --data DIR --file plan.csv": it reads a
// plan (CSV, or JSON when the file ends in .json), checks all of it, and
// stores it only when nothing is wrong. On Badger the server must be
// stopped (it holds the store); while it runs, use the upload on
// /office/plan. With --store it goes into the PostgreSQL store, which the
// servers on it keep running on.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	file := fs.String("file", "", "plan file (.csv or .json)")
	tz := fs.String("tz", "Europe/Oslo", "time zone of times without one")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		return fmt.Errorf("--file is required")
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("open plan: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open plan: %w", err)
	}
	bar := progressbar.NewOptions64(info.Size(),
		progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("reading "+*file),
		progressbar.OptionShowBytes(true), progressbar.OptionSetVisibility(!*quiet), progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))

	var pl *plan.Plan
	var problems []plan.Problem
	if strings.HasSuffix(strings.ToLower(*file), ".json") {
		pl, problems = plan.ParseJSON(progressbar.NewReader(f, bar).Reader)
	} else {
		pl, problems = plan.ParseCSV(f, loc, func(n int64) { _ = bar.Set64(n) })
	}
	_ = bar.Finish()
	if len(problems) == 0 {
		db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		dir, err := plan.LoadDirectory(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, "checking and storing …")
		rep, err := plan.Apply(ctx, db, dir, pl)
		if err != nil {
			return err
		}
		if rep.Stored {
			if err := db.Append(ctx, store.Audit{Actor: "cli", Action: store.AuditPlanImport,
				Detail: fmt.Sprintf("file=%q patients=%d visits=%d medications=%d routines=%d", *file, rep.Patients, rep.Visits, rep.Medications, rep.Routines)}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "stored: %d patients, %d visits, %d doses, %d routines\n", rep.Patients, rep.Visits, rep.Medications, rep.Routines)
			return nil
		}
		problems = rep.Problems
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	return fmt.Errorf("%d problems in %s; nothing was stored", len(problems), *file)
}
