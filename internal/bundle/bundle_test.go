package bundle

import (
	"context"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

func TestBuild(t *testing.T) {
	ctx := context.Background()
	db, err := badger.Open(t.TempDir(), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc, _ := time.LoadLocation("Europe/Oslo")
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, loc)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }

	visit := func(id, patient, worker, unit string, start time.Time) care.Visit {
		return care.Visit{ID: id, PatientID: patient, WorkerID: worker, UnitID: unit, Start: start, DurationMinutes: 30}
	}
	plan := store.Plan{
		Units: []care.Unit{{ID: "n", Name: "Nord"}, {ID: "s", Name: "Sør"}},
		Patients: []care.Patient{
			{ID: "p1", UnitID: "n", Name: "Own"}, {ID: "p2", UnitID: "n", Name: "Colleague's", AccessInfo: "Key box by the door, code 4711"},
			{ID: "p3", UnitID: "s", Name: "Other unit"}, {ID: "p4", UnitID: "n", Name: "No visit today"},
			{ID: "p5", UnitID: "n", Name: "Night", AccessInfo: "  "},
		},
		Visits: []care.Visit{
			visit("v1", "p1", "anna", "n", at(9, 0)),
			visit("v0", "p1", "anna", "n", at(7, 30)),
			visit("v2", "p2", "ole", "n", at(8, 0)),
			visit("v3", "p3", "per", "s", at(8, 0)),
			visit("v4", "p4", "anna", "n", at(33, 0)),  // tomorrow 09:00
			visit("v5", "p5", "anna", "n", at(27, 0)),  // tomorrow 03:00: a night shift's
			visit("v6", "p2", "anna", "n", at(-20, 0)), // yesterday
			visit("v7", "p1", "anna", "n", at(-1, 30)), // yesterday 22:30: the late evening's
		},
		Doses: []care.ScheduledDose{
			{ID: "d1", PatientID: "p1", Medication: "A", Due: at(9, 0)},
			{ID: "d2", PatientID: "p2", Medication: "B", Due: at(8, 0)},
			{ID: "d3", PatientID: "p1", Medication: "C", Due: at(40, 0)},
			{ID: "d4", PatientID: "p1", Medication: "D", Due: at(-1, 45)}, // yesterday 22:15
		},
		Routines: []care.Routine{
			{ID: "r-all", Title: "Everywhere"}, {ID: "r-n", Title: "Nord", Units: []string{"n"}}, {ID: "r-s", Title: "Sør", Units: []string{"s"}},
		},
		Announcements: []care.Announcement{
			{ID: "a-n", Units: []string{"n"}, Text: "to Nord", Posted: at(7, 0)},
			{ID: "a-s", Units: []string{"s"}, Text: "to Sør", Posted: at(7, 0)},
			{ID: "a-late", Units: []string{"n"}, Text: "not yet", Posted: at(20, 0)},
			{ID: "a-old", Text: "old", Posted: at(-40, 0)},
		},
	}
	if err := db.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	anna := care.User{ID: "anna", Name: "Anna", Role: care.RoleWorker, Units: []string{"n"}}

	ids := func(n int, f func(int) string) map[string]bool {
		m := map[string]bool{}
		for i := 0; i < n; i++ {
			m[f(i)] = true
		}
		return m
	}
	cases := []struct {
		name      string
		now       time.Time
		hours     int
		visits    []string
		own       []string
		unit      []string
		doses     []string
		routines  []string
		announced []string
	}{
		{
			name: "day shift", now: at(7, 0), hours: 8,
			visits: []string{"v0", "v1", "v2"}, own: []string{"p1"}, unit: []string{"p2"},
			doses: []string{"d1", "d2"}, routines: []string{"r-all", "r-n"}, announced: []string{"a-n"},
		},
		{
			// Fetched just after midnight: the late evening's visit and
			// dose, still being done or written up, stay on the phone.
			name: "just after midnight keeps the late evening", now: at(0, 30), hours: 8,
			visits: []string{"v7", "v0", "v1", "v2"}, own: []string{"p1"}, unit: []string{"p2"},
			doses: []string{"d4", "d1", "d2"}, routines: []string{"r-all", "r-n"}, announced: []string{},
		},
		{
			name: "night shift reaches past midnight", now: at(22, 0), hours: 8,
			visits: []string{"v0", "v1", "v2", "v5"}, own: []string{"p1", "p5"}, unit: []string{"p2"},
			doses: []string{"d1", "d2"}, routines: []string{"r-all", "r-n"}, announced: []string{"a-n", "a-late"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, issued, err := Build(ctx, db, anna, "dev1", c.now, Config{OfflineFor: time.Duration(c.hours) * time.Hour, Location: loc, IdleLockMinutes: 5})
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got map[string]bool, want []string) {
				t.Helper()
				if len(got) != len(want) {
					t.Errorf("%s = %v, want %v", what, got, want)
					return
				}
				for _, w := range want {
					if !got[w] {
						t.Errorf("%s = %v, want %v", what, got, want)
						return
					}
				}
			}
			check("visits", ids(len(b.Visits), func(i int) string { return b.Visits[i].ID }), c.visits)
			check("own patients", ids(len(issued.OwnPatients), func(i int) string { return issued.OwnPatients[i] }), c.own)
			check("unit patients", ids(len(issued.UnitPatients), func(i int) string { return issued.UnitPatients[i] }), c.unit)
			// Only p2's card holds access information (p5's is blank).
			var access []string
			for _, id := range append(append([]string{}, c.own...), c.unit...) {
				if id == "p2" {
					access = append(access, id)
				}
			}
			check("access patients", ids(len(issued.AccessPatients), func(i int) string { return issued.AccessPatients[i] }), access)
			check("doses", ids(len(b.Medications), func(i int) string { return b.Medications[i].ID }), c.doses)
			check("routines", ids(len(b.Routines), func(i int) string { return b.Routines[i].ID }), c.routines)
			check("announcements", ids(len(b.Announcements), func(i int) string { return b.Announcements[i].ID }), c.announced)
			for i := 1; i < len(b.Visits); i++ {
				if b.Visits[i].Start.Before(b.Visits[i-1].Start) {
					t.Fatal("visits not in time order")
				}
			}
			if b.ExpiresAt.Sub(b.IssuedAt) != time.Duration(c.hours)*time.Hour || b.UserID != "anna" || b.DeviceID != "dev1" || b.IdleLockMinutes != 5 {
				t.Fatalf("header %+v", b)
			}
			if len(b.Units) != 1 || b.Units[0].ID != "n" {
				t.Fatalf("units %+v", b.Units)
			}
		})
	}
}
