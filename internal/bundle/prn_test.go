package bundle

import (
	"context"
	"fmt"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

// TestBundleCarriesPRNDoses: the bundle carries the patient's PRN
// medications on the person card and the PRN doses given in the last 24
// hours, whichever phone gave them; scheduled doses, doses not given,
// void ones, older ones and other patients' are left out.
func TestBundleCarriesPRNDoses(t *testing.T) {
	ctx := context.Background()
	db, err := badger.Open(t.TempDir(), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	oxa := care.PRNMedication{ID: "prn-oxa", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"uro"}, MinIntervalMinutes: 240, MaxPer24h: 2}
	plan := store.Plan{
		Units:    []care.Unit{{ID: "n", Name: "Nord"}},
		Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "Own", PRN: []care.PRNMedication{oxa}}, {ID: "p2", UnitID: "n", Name: "Other"}},
		Visits: []care.Visit{{ID: "v1", PatientID: "p1", WorkerID: "anna", UnitID: "n", Start: now.Add(time.Hour), DurationMinutes: 30},
			{ID: "v2", PatientID: "p2", WorkerID: "anna", UnitID: "n", Start: now.Add(time.Hour), DurationMinutes: 30}},
	}
	if err := db.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	n := 0
	rec := func(patient, prn, status, state string, ago time.Duration) store.StoredRecord {
		n++
		at := now.Add(-ago)
		return store.StoredRecord{ID: fmt.Sprintf("r%d", n), Type: care.RecordMedication, DeviceID: fmt.Sprintf("d%d", n%2), AuthorID: "nils",
			PatientID: patient, UnitID: "n", Medication: "Oxazepam", PRNID: prn, Status: status, AdministeredAt: &at,
			Seq: uint64(n), CreatedAt: at, Received: at.Add(time.Minute), State: state, BodyHash: "h", Body: []byte("{}"), Sig: []byte("s")}
	}
	recs := []store.StoredRecord{
		rec("p1", "prn-oxa", care.DoseGiven, store.StateNew, 2*time.Hour),      // r1: carried
		rec("p1", "prn-oxa", care.DoseGiven, store.StateEntered, 20*time.Hour), // r2: carried, entered in the record system
		rec("p1", "prn-oxa", care.DoseGiven, store.StateNew, 30*time.Hour),     // r3: older than a day
		rec("p1", "", care.DoseGiven, store.StateNew, time.Hour),               // r4: scheduled
		rec("p1", "prn-oxa", care.DoseRefused, store.StateNew, time.Hour),      // r5: not given
		rec("p1", "prn-oxa", care.DoseGiven, store.StateVoid, time.Hour),       // r6: void
		rec("p2", "prn-x", care.DoseGiven, store.StateNew, time.Hour),          // r7: a patient without PRN in the plan
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	b, _, err := Build(ctx, db, care.User{ID: "anna", Units: []string{"n"}}, "dev", now, Config{OfflineFor: 8 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range b.PRNDoses {
		got = append(got, fmt.Sprintf("%s %s %s %s", d.ID, d.PatientID, d.Dose, d.AdministeredAt.Format("15:04")))
	}
	want := []string{"r2 p1 10 mg 16:00", "r1 p1 10 mg 10:00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PRN doses %v, want %v", got, want)
	}
	for _, p := range b.Patients {
		if p.ID == "p1" && (len(p.PRN) != 1 || p.PRN[0].ID != "prn-oxa") {
			t.Errorf("person card PRN %+v", p.PRN)
		}
	}
}
