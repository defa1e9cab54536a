package badger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// bigPlan is a plan of n patients in one unit, each with two visits and
// three doses, with person cards as full as a real one.
func bigPlan(n int, day time.Time) store.Plan {
	p := store.Plan{Units: []care.Unit{{ID: "u1", Name: "Nord"}}}
	for i := range n {
		pid := fmt.Sprintf("p%05d", i)
		p.Patients = append(p.Patients, care.Patient{ID: pid, UnitID: "u1", Name: fmt.Sprintf("Pasient nummer %d Nordmann", i),
			Address: fmt.Sprintf("Storgata %d, 9000 Tromsø", i), AccessInfo: "Nøkkelboks ved døren, kode i boksen på kontoret. Ring på først.",
			Allergies: []string{"Penicillin"}, Warnings: []string{"Hund i huset"}, Priority: care.PriorityNormal,
			ResponsibleNurse: care.Contact{Name: "Nina Sykepleier", Phone: "+47 900 00 000"}, SourceID: "EPJ-" + pid})
		for v := range 2 {
			vid := fmt.Sprintf("%s-v%d", pid, v)
			start := day.Add(time.Duration(8+4*v) * time.Hour)
			p.Visits = append(p.Visits, care.Visit{ID: vid, PatientID: pid, WorkerID: "w1", UnitID: "u1", Start: start,
				DurationMinutes: 30, Tasks: []string{"Morgenstell", "Medisiner"}, SourceID: "PLAN-" + vid})
			for d := range 3 {
				if v == 1 && d == 2 {
					break
				}
				did := fmt.Sprintf("%s-d%d", vid, d)
				p.Doses = append(p.Doses, care.ScheduledDose{ID: did, PatientID: pid, VisitID: vid, Medication: "Paracetamol",
					Dose: "1 g", Route: "oral", Due: start.Add(time.Duration(d) * time.Minute), SourceID: "MED-" + did})
			}
		}
	}
	return p
}

func stageLeft(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	_ = db.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(stagePrefix)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n
}

// TestLargePlanIsStoredWhole: 10,000 patients with their visits and doses
// are more than one Badger transaction holds (ErrTxnTooBig before); the
// plan is stored whole, a second import that moves every visit leaves no
// stale index, and nothing of the stage is left.
func TestLargePlanIsStoredWhole(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	p := bigPlan(10_000, day)
	// The plan is indeed too big for one transaction.
	err := db.update(ctx, func(txn *badger.Txn) error { return writePlan(txnWriter{txn}, p) })
	if !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("one transaction: %v, want ErrTxnTooBig (the test plan must need staging)", err)
	}
	if err := db.ApplyPlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	check := func(round string, from time.Time) {
		t.Helper()
		pts, err := db.PatientsByUnit(ctx, "u1")
		if err != nil || len(pts) != 10_000 {
			t.Fatalf("%s: %d patients, %v", round, len(pts), err)
		}
		vs, err := db.VisitsByUnit(ctx, "u1", day.AddDate(0, 0, -1), day.AddDate(0, 0, 2))
		if err != nil || len(vs) != 20_000 || vs[0].Start.Before(from) {
			t.Fatalf("%s: %d visits, %v", round, len(vs), err)
		}
		ds, err := db.DosesByPatient(ctx, "p09999", day.AddDate(0, 0, -1), day.AddDate(0, 0, 2))
		if err != nil || len(ds) != 5 || ds[0].Due.Before(from) {
			t.Fatalf("%s: doses %+v %v", round, ds, err)
		}
		if n := stageLeft(t, db); n != 0 {
			t.Fatalf("%s: %d stage keys left", round, n)
		}
	}
	check("first import", day)
	// Again, every visit and dose an hour later: the old index keys go.
	later := bigPlan(10_000, day.Add(time.Hour))
	if err := db.ApplyPlan(ctx, later); err != nil {
		t.Fatal(err)
	}
	check("second import", day.Add(time.Hour))
}

// TestStagedPlanSurvivesACrash: a stage that was committed but not applied
// is applied when the store opens again; one that was not committed is
// dropped and stores nothing.
func TestStagedPlanSurvivesACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if _, err := db.stagePlan(ctx, bigPlan(300, day)); err != nil {
		t.Fatal(err)
	}
	if pts, _ := db.PatientsByUnit(ctx, "u1"); len(pts) != 0 {
		t.Fatalf("a staged plan is visible before it is applied: %d patients", len(pts))
	}
	// An uncommitted stage, as a crash during staging leaves it.
	if err := db.update(ctx, func(txn *badger.Txn) error {
		w := &stageWriter{snap: txn, written: map[string][]byte{}, flush: func(b []byte) error { return nil }}
		if err := putPatient(w, care.Patient{ID: "ghost", UnitID: "u1", Name: "Ghost"}); err != nil {
			return err
		}
		return txn.Set([]byte(chunkKey("crashed", 1)), w.buf.Bytes())
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir)
	defer db.Close()
	pts, err := db.PatientsByUnit(ctx, "u1")
	if err != nil || len(pts) != 300 {
		t.Fatalf("after reopen: %d patients, %v", len(pts), err)
	}
	if _, err := db.Patient(ctx, "ghost"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an uncommitted stage was applied: %v", err)
	}
	if n := stageLeft(t, db); n != 0 {
		t.Fatalf("%d stage keys left", n)
	}
}

// TestStagedPlanKeepsScope: a large scoped plan that would overwrite
// another unit's patient stores nothing and leaves no stage behind.
func TestStagedPlanKeepsScope(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "u1"}, {ID: "u2"}},
		Patients: []care.Patient{{ID: "p05000", UnitID: "u2", Name: "Sør"}}}); err != nil {
		t.Fatal(err)
	}
	p := bigPlan(10_000, day)
	p.Scope = []string{"u1"}
	err := db.ApplyPlan(ctx, p)
	var scope *store.ScopeError
	if !errors.As(err, &scope) || !strings.Contains(err.Error(), "EPJ-p05000") {
		t.Fatalf("ApplyPlan = %v, want a ScopeError naming the patient", err)
	}
	if pts, _ := db.PatientsByUnit(ctx, "u1"); len(pts) != 0 {
		t.Fatalf("a refused plan stored %d patients", len(pts))
	}
	if n := stageLeft(t, db); n != 0 {
		t.Fatalf("%d stage keys left", n)
	}
}

// TestCommittedPlanIsFinishedByThePoll: a plan committed but not applied
// (its apply failed, a full disk) is finished by the store itself once it
// can write, without waiting for a restart or the next import.
func TestCommittedPlanIsFinishedByThePoll(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if _, err := db.stagePlan(ctx, bigPlan(300, day)); err != nil {
		t.Fatal(err)
	}
	db.stagePending.Store(true)
	db.finishPendingPlans()
	if pts, err := db.PatientsByUnit(ctx, "u1"); err != nil || len(pts) != 300 {
		t.Fatalf("after the poll: %d patients, %v", len(pts), err)
	}
	if n := stageLeft(t, db); n != 0 {
		t.Fatalf("%d stage keys left", n)
	}
	if db.stagePending.Load() {
		t.Fatal("the plan is still marked pending")
	}
}
