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

// binderCmd is "beredskap binder --data DIR --unit U [--date D | --from D
// --to D] --out FILE": the printable emergency binder of one unit for one
// day or for each day of a range (before a weekend or a holiday), for the
// evening before a planned outage or when the server is already stopped.
func binderCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("binder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	unit := fs.String("unit", "", "unit id")
	date := fs.String("date", "", "day to print, YYYY-MM-DD (default today)")
	from := fs.String("from", "", "first day of a range to print, YYYY-MM-DD (default today)")
	to := fs.String("to", "", fmt.Sprintf("last day of the range, inclusive, at most %d days in all (default --from)", binder.MaxDays))
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
	first, n, err := binder.Range(*date, *from, *to, now, loc)
	if err != nil {
		return fmt.Errorf("--date, --from, --to: %w", err)
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	days, err := binder.LoadRange(ctx, db, *unit, first, n, loc, *lang)
	if err != nil {
		if units, uerr := db.Units(ctx); uerr == nil {
			fmt.Fprintln(stderr, "units in this store:")
			for _, u := range units {
				fmt.Fprintf(stderr, "  %s  %s\n", u.ID, u.Name)
			}
		}
		return err
	}
	visits, doses := 0, 0
	for i := range days {
		days[i].Generated = now
		visits += len(days[i].Visits)
		doses += len(days[i].Doses)
	}
	d := days[0]
	var buf bytes.Buffer
	if err := binder.RenderDays(ctx, &buf, days); err != nil {
		return err
	}
	last := days[len(days)-1].Day.Format(time.DateOnly)
	if err := db.Append(ctx, store.Audit{Time: now, Actor: "cli", Action: store.AuditExport, Subject: *unit,
		Detail: fmt.Sprintf("format=binder date=%s to=%s days=%d file=%q", d.Day.Format(time.DateOnly), last, n, *out)}); err != nil {
		return err
	}
	// Write the whole file or nothing, and durably: a half-written binder
	// is worse than an error on the screen.
	if err := durable.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write binder: %w", err)
	}
	span := ""
	if n > 1 {
		span = fmt.Sprintf(" %d days from %s to %s,", n, d.Day.Format(time.DateOnly), last)
	}
	fmt.Fprintf(stdout, "%s:%s %d patients, %d visits, %d doses, %d routines (%d bytes)\n",
		*out, span, len(d.Patients), visits, doses, len(d.Routines), buf.Len())
	return nil
}

// equipmentListCmd is "beredskap equipment-list --data DIR [--unit U]
// [--week YYYY-Www] --out FILE": the weekly list of the patients with
// power-dependent or life-critical equipment, a medication dispenser or a
// safety alarm (the printout the Sandefjord routine asks for every week),
// for one unit or, without --unit, every unit.
func equipmentListCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("equipment-list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir, storeURL := addStoreFlags(fs, "./data")
	unit := fs.String("unit", "", "unit id (default every unit)")
	week := fs.String("week", "", "ISO week to print for, YYYY-Www (default this week)")
	out := fs.String("out", "", "PDF file to write")
	lang := fs.String("lang", "nb", "language: nb, sv, da or en")
	tz := fs.String("tz", "Europe/Oslo", "the municipality's time zone")
	keyFile := fs.String("encryption-key-file", "", "the store's encryption key, if it is encrypted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if err := oneStore(fs); err != nil {
		return err
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("--tz: %w", err)
	}
	now := time.Now()
	monday, err := binder.ParseWeek(*week, now, loc)
	if err != nil {
		return fmt.Errorf("--week: %w", err)
	}
	db, err := openAnyStore(ctx, *dataDir, *storeURL, *keyFile, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	var want []string
	if *unit != "" {
		want = []string{*unit}
	}
	d, err := binder.LoadEquipment(ctx, db, want, monday, loc, *lang)
	if err != nil {
		return err
	}
	d.Generated = now
	var buf bytes.Buffer
	if err := binder.RenderEquipment(ctx, &buf, d); err != nil {
		return err
	}
	subject := *unit
	if subject == "" {
		subject = "all"
	}
	listed := len(d.Listed())
	if err := db.Append(ctx, store.Audit{Time: now, Actor: "cli", Action: store.AuditExport, Subject: subject,
		Detail: fmt.Sprintf("format=equipment week=%s units=%d patients=%d file=%q", binder.WeekName(monday), len(d.Units), listed, *out)}); err != nil {
		return err
	}
	if err := durable.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write equipment list: %w", err)
	}
	fmt.Fprintf(stdout, "%s: week %s, %d units, %d patients on the list (%d bytes)\n",
		*out, binder.WeekName(monday), len(d.Units), listed, buf.Len())
	return nil
}
