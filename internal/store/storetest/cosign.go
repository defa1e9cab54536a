package storetest

import (
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Co-signatures on the co-signer's own phone: the code that links an
// administration and its cosign record, the cosign's author role, and
// the controlled-drug marks of the plan. They live in the record's
// stored fields and the plan's items, so no table of their own is
// needed; these tests hold both stores to keeping every field.

// cosignTests are the suite's co-signature tests; Run runs them with the
// rest.
func cosignTests() []suiteTest {
	return []suiteTest{{"CosignRoundTrip", testCosignRoundTrip}}
}

// testCosignRoundTrip: an administration's code and a cosign's code and
// author role read back by id, in the records list and in the scan the
// desk builds from, and a dose's and a PRN medication's controlled mark,
// after a reopen too.
func testCosignRoundTrip(t *testing.T, open func() store.Store) {
	db := open()
	due := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	if err := db.ApplyPlan(ctx, store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}},
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "Liv", PRN: []care.PRNMedication{{ID: "prn-1", Medication: "Morfin",
			Dose: "5 mg", Indications: []string{"Smerte"}, MaxPer24h: 4, Controlled: true}}}},
		Doses: []care.ScheduledDose{{ID: "d1", PatientID: "p1", Medication: "Oksykodon", Dose: "5 mg", Route: "oral", Due: due, Controlled: true}},
	}); err != nil {
		t.Fatal(err)
	}
	admin := store.StoredRecord{ID: "r1", Type: care.RecordMedication, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
		ScheduleID: "d1", Medication: "Oksykodon", Status: care.DoseGiven, AdministeredAt: &due, CosignCode: "ABCD2345", Uncosigned: true,
		Seq: 1, CreatedAt: due, Received: due, Body: []byte(`{}`), Sig: []byte("s"), BodyHash: "h1", State: store.StateNew}
	cos := store.StoredRecord{ID: "r2", Type: care.RecordCosign, DeviceID: "d2", AuthorID: "u2", PatientID: "p1", UnitID: "n",
		ScheduleID: "d1", CosignCode: "ABCD2345", AuthorRole: string(care.RoleNurse), Seq: 1, CreatedAt: due, Received: due,
		Body: []byte(`{}`), Sig: []byte("s"), BodyHash: "h2", State: store.StateNew}
	if err := db.PutRecords(ctx, []store.StoredRecord{admin, cos}, nil); err != nil {
		t.Fatal(err)
	}
	same := func(r store.StoredRecord) bool {
		switch r.ID {
		case "r1":
			return r.CosignCode == "ABCD2345" && r.AuthorRole == ""
		case "r2":
			return r.CosignCode == "ABCD2345" && r.AuthorRole == "nurse" && r.ScheduleID == "d1"
		}
		return false
	}
	check := func(db store.Store, when string) {
		t.Helper()
		p, err := db.Patient(ctx, "p1")
		if err != nil || len(p.PRN) != 1 || !p.PRN[0].Controlled {
			t.Fatalf("%s: patient %+v %v", when, p.PRN, err)
		}
		d, err := db.Dose(ctx, "d1")
		if err != nil || !d.Controlled || d.DoubleCheck {
			t.Fatalf("%s: dose %+v %v", when, d, err)
		}
		for _, id := range []string{"r1", "r2"} {
			got, err := db.StoredRecordByID(ctx, id)
			if err != nil || !same(got) {
				t.Fatalf("%s: %s read back %+v %v", when, id, got, err)
			}
		}
		page, _, err := db.ListRecords(ctx, store.RecordFilter{Patient: "p1", Limit: 10})
		if err != nil || len(page) != 2 || !same(page[0]) || !same(page[1]) {
			t.Fatalf("%s: list %+v %v", when, page, err)
		}
		n := 0
		if err := db.ScanRecords(ctx, func(r store.StoredRecord) error {
			if same(r) {
				n++
			}
			return nil
		}); err != nil || n != 2 {
			t.Fatalf("%s: scanned %d whole, %v", when, n, err)
		}
	}
	check(db, "written")
	db.Close()
	db = use(t, open)
	check(db, "reopened")
}
