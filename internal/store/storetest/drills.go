package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Drills (store.Drills): the drills themselves, and the records marked
// with one, which the lists and walks select by drill.

// drillTests are the suite's drill tests; Run runs them with the rest.
func drillTests(opener Opener) []suiteTest {
	return []suiteTest{
		{"Drills", testDrills},
		{"DrillRecords", testDrillRecords},
		{"DrillsBackup", func(t *testing.T, open func() store.Store) { testDrillsBackup(t, open, opener) }},
		{"DrillRecordsPurged", testDrillRecordsPurged},
	}
}

// testDrills: a drill is stored with its audit entry, an id used before
// is ErrDrillExists and changes nothing, a change is stored with its
// audit entry, a change that fails stores nothing, an unknown id is
// ErrNotFound, and the list comes latest start first, after a reopen
// too.
func testDrills(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a := store.Drill{ID: "dr1", Units: []string{"n"}, Title: "Strømbrudd", Scenario: "Nettet er nede", Start: t0, End: t0.Add(4 * time.Hour), StartedBy: "k", Created: t0}
	b := store.Drill{ID: "dr2", Units: []string{"n", "s"}, Title: "Later", Start: t0.Add(24 * time.Hour), End: t0.Add(26 * time.Hour), StartedBy: "k", Created: t0}
	for _, d := range []store.Drill{a, b} {
		if err := db.CreateDrill(ctx, d, store.Audit{Actor: "k", Action: store.AuditDrillStart, Subject: d.ID}); err != nil {
			t.Fatal(err)
		}
	}
	again := a
	again.Title = "other"
	if err := db.CreateDrill(ctx, again, store.Audit{Actor: "k", Action: store.AuditDrillStart, Subject: a.ID}); !errors.Is(err, store.ErrDrillExists) {
		t.Fatalf("a second drill dr1: %v, want ErrDrillExists", err)
	}
	back := t0.Add(time.Hour)
	got, err := db.ChangeDrill(ctx, "dr1", func(d *store.Drill) error {
		d.NetworkBack, d.NetworkBackBy = &back, "k2"
		d.ID = "ignored"
		return nil
	}, store.Audit{Time: back, Actor: "k2", Action: store.AuditDrillNetworkBack, Subject: "dr1"})
	if err != nil || got.ID != "dr1" || got.NetworkBack == nil || !got.NetworkBack.Equal(back) {
		t.Fatalf("network back: %+v, %v", got, err)
	}
	refuse := fmt.Errorf("refused")
	if _, err := db.ChangeDrill(ctx, "dr1", func(d *store.Drill) error { d.Title = "x"; return refuse }, store.Audit{Actor: "k", Action: store.AuditDrillEnd, Subject: "dr1"}); !errors.Is(err, refuse) {
		t.Fatalf("a refused change: %v", err)
	}
	_, err = db.ChangeDrill(ctx, "nope", func(*store.Drill) error { return nil }, store.Audit{Actor: "k", Action: store.AuditDrillEnd, Subject: "nope"})
	notFound(t, "change of an unknown drill", err, "nope")
	_, err = db.Drill(ctx, "nope")
	notFound(t, "an unknown drill", err, "nope")
	closeStore(t, db)
	db = use(t, open)
	ds, err := db.Drills(ctx)
	if err != nil || len(ds) != 2 || ds[0].ID != "dr2" || ds[1].ID != "dr1" {
		t.Fatalf("drills: %+v, %v", ds, err)
	}
	d, err := db.Drill(ctx, "dr1")
	if err != nil || d.Title != "Strømbrudd" || d.Scenario != "Nettet er nede" || !slices.Equal(d.Units, []string{"n"}) ||
		!d.Start.Equal(t0) || !d.End.Equal(a.End) || d.NetworkBack == nil || d.NetworkBackBy != "k2" {
		t.Fatalf("dr1 after reopen: %+v, %v", d, err)
	}
	entries, err := db.AuditFor(ctx, "dr1")
	if err != nil || len(entries) != 2 || entries[0].Action != store.AuditDrillStart || entries[1].Action != store.AuditDrillNetworkBack {
		t.Fatalf("dr1's audit: %+v, %v", entries, err)
	}
}

// testDrillRecords: a record's drill id is kept, and the list, the walk
// and the scan select by drill: every record, the real ones only, the
// drill records only, or one drill's.
func testDrillRecords(t *testing.T, open func() store.Store) {
	db := open()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	rec := func(id, drill string, seq uint64) store.StoredRecord {
		return store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
			Seq: seq, CreatedAt: at, Received: at.Add(time.Duration(seq) * time.Second), Body: []byte(`{}`), Sig: []byte("s"),
			BodyHash: "h" + id, State: store.StateNew, DrillID: drill}
	}
	if err := db.PutRecords(ctx, []store.StoredRecord{rec("r1", "", 1), rec("r2", "dr1", 2), rec("r3", "dr2", 3), rec("r4", "", 4)}, nil); err != nil {
		t.Fatal(err)
	}
	check := func(db store.Store, when string) {
		t.Helper()
		for _, c := range []struct {
			sel  string
			want []string
		}{
			{"", []string{"r1", "r2", "r3", "r4"}},
			{store.DrillNone, []string{"r1", "r4"}},
			{store.DrillAny, []string{"r2", "r3"}},
			{"dr2", []string{"r3"}},
			{"dr9", nil},
		} {
			page, _, err := db.ListRecords(ctx, store.RecordFilter{Drill: c.sel, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var listed, walked []string
			for _, r := range page {
				listed = append(listed, r.ID)
			}
			if err := db.WalkRecords(ctx, store.RecordFilter{Drill: c.sel, Unit: "n"}, func(r store.StoredRecord) error {
				walked = append(walked, r.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(listed)
			slices.Sort(walked)
			if !slices.Equal(listed, c.want) || !slices.Equal(walked, c.want) {
				t.Errorf("%s: drill %q lists %v, walks %v, want %v", when, c.sel, listed, walked, c.want)
			}
		}
		r, err := db.StoredRecordByID(ctx, "r2")
		if err != nil || r.DrillID != "dr1" {
			t.Fatalf("%s: r2 %+v, %v", when, r, err)
		}
		drills := map[string]string{}
		if err := db.ScanRecords(ctx, func(r store.StoredRecord) error { drills[r.ID] = r.DrillID; return nil }); err != nil {
			t.Fatal(err)
		}
		if drills["r1"] != "" || drills["r2"] != "dr1" || drills["r3"] != "dr2" {
			t.Fatalf("%s: scanned drills %v", when, drills)
		}
	}
	check(db, "written")
	closeStore(t, db)
	db = use(t, open)
	check(db, "reopened")
}

// testDrillsBackup: drills and drill records are in a backup and come
// back from its load.
func testDrillsBackup(t *testing.T, open func() store.Store, opener Opener) {
	src := use(t, open)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := src.CreateDrill(ctx, store.Drill{ID: "dr1", Units: []string{"n"}, Title: "Øvelse", Start: t0, End: t0.Add(time.Hour), StartedBy: "k", Created: t0},
		store.Audit{Actor: "k", Action: store.AuditDrillStart, Subject: "dr1"}); err != nil {
		t.Fatal(err)
	}
	r := store.StoredRecord{ID: "r1", Type: care.RecordNote, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
		Seq: 1, CreatedAt: t0, Received: t0, Body: []byte(`{}`), Sig: []byte("s"), BodyHash: "h", State: store.StateNew, DrillID: "dr1"}
	if err := src.PutRecords(ctx, []store.StoredRecord{r}, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	dst := use(t, opener(t))
	if err := dst.Load(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if d, err := dst.Drill(ctx, "dr1"); err != nil || d.Title != "Øvelse" {
		t.Fatalf("drill after load: %+v, %v", d, err)
	}
	if page, _, err := dst.ListRecords(ctx, store.RecordFilter{Drill: "dr1", Limit: 10}); err != nil || len(page) != 1 {
		t.Fatalf("drill records after load: %+v, %v", page, err)
	}
}

// testDrillRecordsPurged: a drill's records are never reconciled, and
// they name real patients, so the retention purge takes them by the time
// they came: one received before the cut is purged (audited, its id
// still taken), one received after it is kept, and so is a real record
// as old that waits to be entered.
func testDrillRecordsPurged(t *testing.T, open func() store.Store) {
	db := use(t, open)
	now := time.Now()
	old, recent := now.Add(-40*24*time.Hour), now.Add(-time.Hour)
	rec := func(id, drill string, received time.Time, seq uint64) store.StoredRecord {
		return store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: seq,
			Body: []byte(`{}`), BodyHash: id, State: store.StateNew, Received: received, DrillID: drill}
	}
	recs := []store.StoredRecord{rec("drill-old", "dr1", old, 1), rec("drill-new", "dr2", recent, 2), rec("real-waiting", "", old, 3)}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want the old drill record", n, err)
	}
	for id, kept := range map[string]bool{"drill-old": false, "drill-new": true, "real-waiting": true} {
		_, err := db.StoredRecordByID(ctx, id)
		if kept != (err == nil) || (!kept && !errors.Is(err, store.ErrNotFound)) {
			t.Errorf("%s: kept=%v err=%v", id, kept, err)
		}
	}
	if err := db.PutRecords(ctx, []store.StoredRecord{recs[0]}, nil); !errors.Is(err, store.ErrRecordExists) {
		t.Fatalf("a purged drill record stored again: %v", err)
	}
	entries, err := db.AuditLog(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	purged := 0
	for _, e := range entries {
		if e.Action == store.AuditPurge && e.Subject == "drill-old" {
			purged++
		}
	}
	if purged != 1 {
		t.Fatalf("%d purge entries for the old drill record, want 1", purged)
	}
	if n, _ := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now); n != 0 {
		t.Fatalf("a second purge removed %d", n)
	}
}
