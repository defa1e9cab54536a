package storetest

import (
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// As-needed (PRN) doses: what the store keeps of them. PRN medications
// live on the person card and PRN doses in the records, so no table of
// their own is needed; these tests hold both stores to keeping every
// field.

// prnTests are the suite's PRN tests; Run runs them with the rest.
func prnTests() []suiteTest {
	return []suiteTest{{"PRNRoundTrip", testPRNRoundTrip}}
}

// testPRNRoundTrip: a person card's PRN medications, and a PRN dose's
// and an effect's links, read back whole, by id and in the lists the desk
// and the bundle read, after a reopen too.
func testPRNRoundTrip(t *testing.T, open func() store.Store) {
	db := open()
	m := care.PRNMedication{ID: "prn-1", SourceID: "PRN-1", Medication: "Oxazepam", Dose: "10 mg", Route: "oral",
		Indications: []string{"Uro", "Søvnvansker"}, MinIntervalMinutes: 240, MaxPer24h: 2, EffectAfterMinutes: 30}
	if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}},
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "Liv", PRN: []care.PRNMedication{m}}}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	dose := store.StoredRecord{ID: "r1", Type: care.RecordMedication, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
		Medication: "Oxazepam", PRNID: "prn-1", Status: care.DoseGiven, AdministeredAt: &at, Seq: 1, CreatedAt: at, Received: at,
		Body: []byte(`{}`), Sig: []byte("s"), BodyHash: "h1", State: store.StateNew}
	eff := store.StoredRecord{ID: "r2", Type: care.RecordPRNEffect, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
		AdministrationID: "r1", Seq: 2, CreatedAt: at, Received: at, Body: []byte(`{}`), Sig: []byte("s"), BodyHash: "h2", State: store.StateNew}
	if err := db.PutRecords(ctx, []store.StoredRecord{dose, eff}, nil); err != nil {
		t.Fatal(err)
	}
	check := func(db store.Store, when string) {
		t.Helper()
		p, err := db.Patient(ctx, "p1")
		if err != nil || len(p.PRN) != 1 || p.PRN[0].ID != m.ID || !slices.Equal(p.PRN[0].Indications, m.Indications) ||
			p.PRN[0].MinIntervalMinutes != 240 || p.PRN[0].MaxPer24h != 2 || p.PRN[0].EffectAfterMinutes != 30 || p.PRN[0].Route != "oral" {
			t.Fatalf("%s: patient %+v %v", when, p.PRN, err)
		}
		got, err := db.StoredRecordByID(ctx, "r1")
		if err != nil || got.PRNID != "prn-1" {
			t.Fatalf("%s: dose %+v %v", when, got, err)
		}
		page, _, err := db.ListRecords(ctx, store.RecordFilter{Patient: "p1", Limit: 10})
		if err != nil || len(page) != 2 {
			t.Fatalf("%s: list %d %v", when, len(page), err)
		}
		for _, r := range page {
			if r.ID == "r2" && r.AdministrationID != "r1" || r.ID == "r1" && r.PRNID != "prn-1" {
				t.Fatalf("%s: listed %+v", when, r)
			}
		}
		n := 0
		if err := db.ScanRecords(ctx, func(r store.StoredRecord) error {
			if r.ID == "r2" && r.AdministrationID == "r1" || r.ID == "r1" && r.PRNID == "prn-1" {
				n++
			}
			return nil
		}); err != nil || n != 2 {
			t.Fatalf("%s: scanned %d with their links, %v", when, n, err)
		}
	}
	check(db, "written")
	db.Close()
	db = use(t, open)
	check(db, "reopened")
}
