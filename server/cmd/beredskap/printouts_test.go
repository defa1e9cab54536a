package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"beredskap/internal/binder"
	"beredskap/internal/servertest"
)

func pdfText(t *testing.T, raw []byte) (pages []string) {
	t.Helper()
	rd, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a PDF: %v", err)
	}
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, strings.Join(strings.Fields(s), " "))
	}
	return pages
}

func TestBinderRangeCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	servertest.Seed(t, db)
	units, err := db.Units(ctx)
	if err != nil || len(units) == 0 {
		t.Fatalf("units %v %v", units, err)
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "binder.pdf")
	today := time.Now().Format(time.DateOnly)
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	cases := []struct {
		name string
		args []string
		want string
		ok   bool
	}{
		{"two days", []string{"--from", today, "--to", tomorrow}, "2 days from " + today + " to " + tomorrow, true},
		{"one day as a range", []string{"--from", today, "--to", today}, "binder.pdf: 20 patients", true},
		{"reversed", []string{"--from", tomorrow, "--to", today}, "before from", false},
		{"too long", []string{"--from", "2026-03-01", "--to", "2026-03-15"}, "at most 14 days", false},
		{"date and range", []string{"--date", today, "--to", tomorrow}, "not both", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(out)
			var stdout, stderr bytes.Buffer
			err := run(ctx, append([]string{"binder", "--data", dir, "--unit", units[0].ID, "--out", out}, c.args...), &stdout, &stderr)
			if c.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			got := stdout.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("%q does not say %q", got, c.want)
			}
			b, readErr := os.ReadFile(out)
			if c.ok != (readErr == nil) {
				t.Fatalf("file: %v", readErr)
			}
			if !c.ok {
				return
			}
			pages := pdfText(t, b)
			if c.name == "two days" && (!strings.Contains(pages[0], "Dag 1 av 2") || !strings.Contains(pages[len(pages)-1], "Dag 2 av 2")) {
				t.Fatalf("the pages do not run from day 1 to day 2 of 2: %.200s ... %.200s", pages[0], pages[len(pages)-1])
			}
		})
	}
}

func TestEquipmentListCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openStore(dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	servertest.Seed(t, db)
	units, err := db.Units(ctx)
	if err != nil || len(units) < 2 {
		t.Fatalf("units %v %v", units, err)
	}
	mine, _ := db.PatientsByUnit(ctx, units[0].ID)
	others, _ := db.PatientsByUnit(ctx, units[1].ID)
	db.Close()
	out := filepath.Join(t.TempDir(), "equipment.pdf")
	cases := []struct {
		name string
		args []string
		want string
		ok   bool
	}{
		{"one unit", []string{"--unit", units[0].ID, "--week", "2026-W12"}, "week 2026-W12, 1 units", true},
		{"every unit", []string{"--lang", "en"}, "2 units", true},
		{"bad week", []string{"--week", "2026-W60"}, "--week", false},
		{"unknown unit", []string{"--unit", "nowhere"}, "no unit", false},
		{"no out", []string{"--out", ""}, "--out is required", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(out)
			var stdout, stderr bytes.Buffer
			err := run(ctx, append([]string{"equipment-list", "--data", dir, "--out", out}, c.args...), &stdout, &stderr)
			if c.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			got := stdout.String()
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("%q does not say %q", got, c.want)
			}
			b, readErr := os.ReadFile(out)
			if c.ok != (readErr == nil) {
				t.Fatalf("file: %v", readErr)
			}
			if !c.ok {
				return
			}
			text := strings.Join(pdfText(t, b), " ")
			oneUnit := c.args[0] == "--unit"
			for _, p := range mine {
				if strings.Contains(text, p.Name) != binder.OnEquipmentList(p) {
					t.Errorf("%s on the list: %v", p.Name, !binder.OnEquipmentList(p))
				}
			}
			for _, p := range others {
				if want := binder.OnEquipmentList(p) && !oneUnit; strings.Contains(text, p.Name) != want {
					t.Errorf("%s (other unit) on the list: %v, want %v", p.Name, !want, want)
				}
			}
		})
	}
}
