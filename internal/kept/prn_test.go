package kept_test

import (
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/kept"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// TestPRNFindingsKept: the desk keeps the PRN findings as the events come:
// a dose's evaluation deadline passing makes prn_effect_missing with no
// write at all; its effect record coming in ends it; a second dose inside
// the interval, from another phone, is prn_interval; a plan that shortens
// the interval ends that; a plan that lowers the daily maximum makes
// prn_max_exceeded. After each the kept findings match a full
// recomputation.
func TestPRNFindingsKept(t *testing.T) {
	w := newWorld(t, 3)
	oxa := care.PRNMedication{ID: "prn-oxa", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"Uro"},
		MinIntervalMinutes: 240, MaxPer24h: 3, EffectAfterMinutes: 30}
	// p1 has nothing but its PRN medication, so that only PRN findings
	// come from it.
	w.plan.Patients[0].PRN = []care.PRNMedication{oxa}
	w.plan.Doses, w.plan.Visits = nil, nil
	if err := w.db.ApplyPlan(ctx, w.plan); err != nil {
		t.Fatal(err)
	}
	n := 0
	put := func(r store.StoredRecord) {
		t.Helper()
		n++
		r.Seq, r.CreatedAt, r.Received, r.BundleID, r.State = uint64(n), w.now, w.now, "b0", store.StateNew
		r.PatientID, r.UnitID, r.AuthorID = "p1", w.unitOf("p1"), "anna"
		r.BodyHash, r.Body, r.Sig = r.ID, []byte(`{}`), []byte("s")
		if r.DeviceID == "" {
			r.DeviceID = "d1"
		}
		if err := w.db.PutRecords(ctx, []store.StoredRecord{r}, nil); err != nil {
			t.Fatal(err)
		}
	}
	dose := func(id, device string) store.StoredRecord {
		at := w.now
		return store.StoredRecord{ID: id, Type: care.RecordMedication, DeviceID: device, Medication: "Oxazepam", PRNID: "prn-oxa",
			Status: care.DoseGiven, AdministeredAt: &at}
	}
	kinds := func(when string) map[string]int {
		t.Helper()
		want, _, _ := w.recomputed()
		got, _, err := w.k.All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if asJSON(t, got) != asJSON(t, want) {
			t.Fatalf("%s:\nkept       %s\nrecomputed %s", when, asJSON(t, got), asJSON(t, want))
		}
		out := map[string]int{}
		for _, f := range got {
			if f.PatientID == "p1" {
				out[f.Kind]++
			}
		}
		return out
	}
	put(dose("a1", "d1"))
	if k := kinds("given"); k[wire.FindingPRNEffectMissing] != 0 {
		t.Fatalf("given: %v", k)
	}
	// 30 minutes to evaluate and 30 of grace: a minute short, then there.
	w.now = w.now.Add(59 * time.Minute)
	if k := kinds("59 minutes later"); k[wire.FindingPRNEffectMissing] != 0 {
		t.Fatalf("59 minutes later: %v", k)
	}
	w.now = w.now.Add(time.Minute)
	if k := kinds("an hour later"); k[wire.FindingPRNEffectMissing] != 1 {
		t.Fatalf("an hour later: %v", k)
	}
	put(store.StoredRecord{ID: "e1", Type: care.RecordPRNEffect, AdministrationID: "a1"})
	if k := kinds("evaluated"); k[wire.FindingPRNEffectMissing] != 0 {
		t.Fatalf("evaluated: %v", k)
	}
	// Another phone gives it again an hour after the first.
	put(dose("a2", "d2"))
	put(store.StoredRecord{ID: "e2", Type: care.RecordPRNEffect, AdministrationID: "a2", DeviceID: "d2"})
	if k := kinds("again"); k[wire.FindingPRNInterval] != 1 {
		t.Fatalf("again: %v", k)
	}
	oxa.MinIntervalMinutes, oxa.MaxPer24h = 30, 1
	w.plan.Patients[0].PRN = []care.PRNMedication{oxa}
	if err := w.db.ApplyPlan(ctx, w.plan); err != nil {
		t.Fatal(err)
	}
	if k := kinds("the plan changed"); k[wire.FindingPRNInterval] != 0 || k[wire.FindingPRNMaxExceeded] != 1 {
		t.Fatalf("the plan changed: %v", k)
	}
	// A keeper built afresh on the store says the same.
	raw := w.db.(interface{ Unwrap() store.Store }).Unwrap()
	again := kept.New(raw, kept.Options{OfflineFor: offlineFor, Now: func() time.Time { return w.now }})
	a, _, _ := w.k.All(ctx)
	b, _, err := again.All(ctx)
	if err != nil || asJSON(t, a) != asJSON(t, b) {
		t.Fatalf("kept %s\nrebuilt %s (%v)", asJSON(t, a), asJSON(t, b), err)
	}
}
