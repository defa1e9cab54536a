package server

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/wire"
)

// prnDose is a PRN dose of m for the patient given at, with the phone's
// next seq.
func (p *phoneKit) prnDose(patient string, m care.PRNMedication, at time.Time) care.Record {
	p.seq++
	return care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordMedication, DeviceID: p.deviceID,
		AuthorID: p.login.User.ID, PatientID: patient, CreatedAt: at, Seq: p.seq, PRNID: m.ID, Medication: m.Medication,
		Dose: m.Dose, Route: m.Route, Status: care.DoseGiven, AdministeredAt: &at, SignatureSVG: "M1 1 L2 2",
		Indication: m.Indications[0]}
}

// prnEffect evaluates a dose.
func (p *phoneKit) prnEffect(patient, admin, effect string, at time.Time) care.Record {
	p.seq++
	return care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordPRNEffect, DeviceID: p.deviceID,
		AuthorID: p.login.User.ID, PatientID: patient, CreatedAt: at, Seq: p.seq, AdministrationID: admin, Effect: effect, At: &at}
}

// TestPRNOverHTTP: the bundle carries a patient's PRN medications; two
// phones give the same PRN medication inside its minimum interval, and
// the desk shows prn_interval, prn_max_exceeded and, for the dose nobody
// evaluated, prn_effect_missing; the next bundle carries both phones'
// doses. Bad input is refused: 400 for a negative interval in a plan or an
// unknown effect, forbidden for another unit's patient, 404 for an
// unknown record or finding.
func TestPRNOverHTTP(t *testing.T) {
	e := newEnv(t)
	nils, anna := e.phone("nils"), e.phone("anna")
	patient := nils.ownPatient()
	pt, _ := nils.bundle.Patient(patient)
	if len(pt.PRN) == 0 {
		t.Fatalf("the demo patient %s has no PRN medication in the bundle", pt.Name)
	}
	para := pt.PRN[0] // paracetamol: 6 hours apart, at most 4 a day
	if para.MinIntervalMinutes != 360 || para.MaxPer24h != 4 {
		t.Fatalf("demo PRN %+v", para)
	}
	now := time.Now().UTC().Truncate(time.Second)
	// Anna may give it too: the patient is in her unit part, with an
	// emergency reason.
	first := nils.prnDose(patient, para, now.Add(-3*time.Hour))
	second := anna.prnDose(patient, para, now.Add(-2*time.Hour))
	if !anna.bundle.OwnPatient(patient) {
		second.EmergencyReason = "Besøket flyttet til meg"
	}
	eff := nils.prnEffect(patient, first.ID, care.EffectGood, now.Add(-2*time.Hour-30*time.Minute))
	if code, resp, raw := nils.sync(nils.sealRecord(first), nils.sealRecord(eff)); code != 200 || resp.Results[0].Status != "accepted" || resp.Results[1].Status != "accepted" {
		t.Fatalf("nils's sync: %d %s", code, raw)
	}
	if code, resp, raw := anna.sync(anna.sealRecord(second)); code != 200 || resp.Results[0].Status != "accepted" {
		t.Fatalf("anna's sync: %d %s", code, raw)
	}
	// Three more doses make five in a day.
	var more []wire.SealedRecord
	for _, h := range []float64{1, 0.5, 0.25} {
		more = append(more, nils.sealRecord(nils.prnDose(patient, para, now.Add(-time.Duration(h*float64(time.Hour))))))
	}
	if code, _, raw := nils.sync(more...); code != 200 {
		t.Fatalf("sync: %d %s", code, raw)
	}

	kari := e.login("kari").Token
	kinds := map[string][]wire.Finding{}
	for _, k := range []string{wire.FindingPRNInterval, wire.FindingPRNMaxExceeded, wire.FindingPRNEffectMissing} {
		var fr wire.FindingsResponse
		if code, raw := e.call("GET", "/api/v1/findings?kind="+k+"&patient="+patient, kari, nil, &fr); code != 200 {
			t.Fatalf("findings %s: %d %s", k, code, raw)
		}
		kinds[k] = fr.Findings
	}
	if fs := kinds[wire.FindingPRNInterval]; len(fs) != 4 || !slices.Contains(fs[0].RecordIDs, first.ID) || !slices.Contains(fs[0].RecordIDs, second.ID) {
		t.Errorf("prn_interval %+v, want four, the first of nils's and anna's doses", fs)
	}
	if fs := kinds[wire.FindingPRNMaxExceeded]; len(fs) != 1 || len(fs[0].RecordIDs) != 5 || fs[0].Key != "finding.prn_max_exceeded" {
		t.Errorf("prn_max_exceeded %+v, want one naming five doses", fs)
	}
	// The second dose, two hours ago, is past its 60 minutes and 30 of
	// grace; the first was evaluated; the last three are not due yet.
	if fs := kinds[wire.FindingPRNEffectMissing]; len(fs) != 1 || fs[0].RecordIDs[0] != second.ID {
		t.Errorf("prn_effect_missing %+v, want the second dose's", fs)
	}

	// The next bundle carries the doses of both phones.
	var br wire.BundleResponse
	if code, raw := e.call("GET", "/api/v1/bundle", nils.login.Token, nil, &br); code != 200 {
		t.Fatalf("bundle: %d %s", code, raw)
	}
	var b wire.Bundle
	if err := json.Unmarshal(br.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range b.PRNDoses {
		if d.PatientID == patient {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) != 5 || !slices.Contains(ids, first.ID) || !slices.Contains(ids, second.ID) {
		t.Errorf("the bundle's PRN doses %v, want five with %s and %s", ids, first.ID, second.ID)
	}

	// Bad input.
	bad := nils.prnEffect(patient, first.ID, "fine", now)
	other := nils.prnDose(otherUnitPatient(t, e, nils), para, now)
	if code, resp, raw := nils.sync(nils.sealRecord(bad), nils.sealRecord(other)); code != 200 ||
		resp.Results[0].Code != wire.CodeInvalidInput || resp.Results[1].Code != wire.CodeForbidden {
		t.Errorf("an unknown effect and another unit's patient: %d %s", code, raw)
	}
	nord, _ := e.nordSor(t)
	body, _ := json.Marshal(plan.Plan{Patients: []plan.Patient{{SourceID: "EPJ-PRN-1", Unit: nord.Name, Name: "Liv Berg", Address: "Veien 1",
		PRN: []plan.PRN{{SourceID: "PRN-1", Medication: "Oxazepam", Dose: "10 mg", Indications: []string{"Uro"}, MinIntervalMinutes: -60, MaxPer24h: 2}}}}})
	code, raw := e.raw("POST", "/api/v1/plan", kari, "application/json", body)
	if eb := errorBody(t, raw); code != 400 || len(eb.Problems) != 1 || eb.Problems[0].Column != "patients[0].prn[0].min_interval_minutes" {
		t.Errorf("a negative interval: %d %s", code, raw)
	}
	if code, raw := e.call("GET", "/api/v1/findings?kind=prn_sometimes", kari, nil, nil); code != 400 {
		t.Errorf("an unknown kind: %d %s", code, raw)
	}
	if code, raw := e.call("GET", "/api/v1/records/"+uuid.NewString(), kari, nil, nil); code != 404 {
		t.Errorf("an unknown record: %d %s", code, raw)
	}
	if code, raw := e.call("POST", "/api/v1/findings/0123456789abcdef/resolve", kari, wire.ResolveRequest{Comment: "ok"}, nil); code != 404 {
		t.Errorf("an unknown finding: %d %s", code, raw)
	}
	// A coordinator of the other unit reads the PRN dose as none.
	_, sor := e.nordSor(t)
	if e.unitOf(t, first.ID) != sor.ID {
		sorOnly := e.coordinatorOf(t, sor.ID)
		if code, raw := e.call("GET", "/api/v1/records/"+first.ID, sorOnly, nil, nil); code != 404 {
			t.Errorf("another unit's PRN dose: %d %s", code, raw)
		}
	}
}

// otherUnitPatient is a patient of a unit the phone's user does not work
// in.
func otherUnitPatient(t *testing.T, e *testEnv, p *phoneKit) string {
	t.Helper()
	nord, sor := e.nordSor(t)
	unit := sor.ID
	if slices.Contains(p.login.User.Units, sor.ID) {
		unit = nord.ID
	}
	pts, err := e.db.PatientsByUnit(t.Context(), unit)
	if err != nil || len(pts) == 0 {
		t.Fatalf("patients of %s: %v", unit, err)
	}
	return pts[0].ID
}
