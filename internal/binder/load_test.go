package binder

import (
	"context"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
)

// TestLoadRangeAcrossSummerTime loads three days over the night Oslo
// moves its clocks forward (29 March 2026, a 23-hour day) from a real
// store, and checks that visits just before and after each midnight land
// on their own day, in the data and on the printed pages.
func TestLoadRangeAcrossSummerTime(t *testing.T) {
	ctx := context.Background()
	d := servertest.New(t)
	loc := servertest.Oslo(t)
	units, err := d.DB.Units(ctx)
	if err != nil || len(units) == 0 {
		t.Fatal(units, err)
	}
	unit := units[0].ID
	pts, err := d.DB.PatientsByUnit(ctx, unit)
	if err != nil || len(pts) == 0 {
		t.Fatal(pts, err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, loc) }
	visits := []struct {
		id    string
		start time.Time
		day   int // index in the range
	}{
		{"dst-a", at(28, 23, 30), 0},
		{"dst-b", at(29, 0, 15), 1},
		{"dst-c", at(29, 23, 45), 1},
		{"dst-d", at(30, 0, 10), 2},
		{"dst-e", at(31, 0, 5), -1}, // after the range
	}
	var plan store.Plan
	for _, v := range visits {
		plan.Visits = append(plan.Visits, care.Visit{ID: care.IDFor("visit", v.id), PatientID: pts[0].ID, UnitID: unit,
			Start: v.start, DurationMinutes: 15, Tasks: []string{"Oppgave " + v.id}})
	}
	if err := d.DB.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	first, n, err := Range("", "2026-03-28", "2026-03-30", at(27, 12, 0), loc)
	if err != nil || n != 3 {
		t.Fatal(n, err)
	}
	days, err := LoadRange(ctx, d.DB, unit, first, n, loc, "nb")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 {
		t.Fatalf("%d days", len(days))
	}
	for _, v := range visits {
		for i, day := range days {
			has := false
			for _, dv := range day.Visits {
				has = has || dv.ID == care.IDFor("visit", v.id)
			}
			if has != (i == v.day) {
				t.Errorf("visit %s at %v: on day %d is %v, want it on day %d", v.id, v.start, i, has, v.day)
			}
		}
	}
	r := renderDays(t, days)
	heads := []string{"Dag 1 av 3", "Dag 2 av 3", "Dag 3 av 3"}
	for _, v := range visits {
		if v.day >= 0 && !strings.Contains(r.all(), "Oppgave "+v.id) {
			t.Errorf("visit %s is not printed", v.id)
		}
		for _, p := range r.pages {
			if !strings.Contains(p, "Oppgave "+v.id) {
				continue
			}
			if v.day < 0 || !strings.Contains(p, heads[v.day]) {
				t.Errorf("visit %s is printed on a page of the wrong day: %.120s", v.id, p)
			}
		}
	}
	if !strings.Contains(r.all(), "Søndag 29.03.2026") {
		t.Error("the day of the change has no heading")
	}
}
