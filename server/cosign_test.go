package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/wire"
)

// cosignedDose is a given dose of d that waits for a co-signature by
// code, with the phone's next seq.
func (p *phoneKit) cosignedDose(d care.ScheduledDose, code string, at time.Time) care.Record {
	p.seq++
	return care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordMedication, DeviceID: p.deviceID,
		AuthorID: p.login.User.ID, PatientID: d.PatientID, VisitID: d.VisitID, CreatedAt: at, Seq: p.seq, ScheduleID: d.ID,
		Medication: d.Medication, Dose: d.Dose, Route: d.Route, Status: care.DoseGiven, AdministeredAt: &at,
		SignatureSVG: "M1 1 L2 2", CosignCode: code}
}

// cosign is a co-signature of d by code, made on this phone.
func (p *phoneKit) cosign(d care.ScheduledDose, code string, at time.Time) care.Record {
	p.seq++
	return care.Record{ID: uuid.Must(uuid.NewV7()).String(), Type: care.RecordCosign, DeviceID: p.deviceID,
		AuthorID: p.login.User.ID, PatientID: d.PatientID, CreatedAt: at, Seq: p.seq, ScheduleID: d.ID,
		Medication: d.Medication, Dose: d.Dose, CosignCode: code, SignatureSVG: "M3 3 L4 4"}
}

// needsCosign finds a dose of one of the phone's own patients that needs
// a second signature and is due (its double check applies from then).
func (p *phoneKit) needsCosign(t *testing.T) care.ScheduledDose {
	t.Helper()
	for _, d := range p.bundle.Medications {
		if d.NeedsCosign() && p.bundle.OwnPatient(d.PatientID) && d.Due.Before(time.Now()) {
			return d
		}
	}
	t.Fatalf("%s's bundle has no dose that needs a second signature", p.login.User.Username)
	return care.ScheduledDose{}
}

// TestCosignOverHTTP: a worker gives a controlled or double-check dose and
// her phone shows a code; a nurse of the unit co-signs it on her own phone
// from the unit part of her bundle (the cosign arrives first); the desk
// links the two and raises no co-signature finding, shows each on the
// other's record page and exports the nurse as the administration's
// verifier. A worker's co-signature and a code nobody typed are findings;
// a malformed code is invalid input, another unit's patient forbidden, an
// unknown record not found.
func TestCosignOverHTTP(t *testing.T) {
	e := newEnv(t)
	// A controlled drug, due half an hour ago, for one of anna's own
	// patients, imported as the record system's plan would bring it.
	anna := e.phone("anna")
	pt, _ := anna.bundle.Patient(anna.ownPatient())
	due := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	body, _ := json.Marshal(plan.Plan{Medications: []plan.Dose{{SourceID: "CS-1", PatientSourceID: pt.SourceID, Medication: "Oksykodon",
		Dose: "5 mg", Route: "oral", Due: due, Controlled: true}}})
	kari := e.login("kari").Token
	if code, raw := e.raw("POST", "/api/v1/plan", kari, "application/json", body); code != 200 {
		t.Fatalf("plan: %d %s", code, raw)
	}
	giver := e.phone("anna")
	d := giver.needsCosign(t)
	nils := e.phone("nils")
	other := e.phone("ole")
	if nils.bundle.OwnPatient(d.PatientID) {
		t.Fatalf("the dose's patient is on the nurse's own list; the test wants her unit part")
	}
	// The shifts were fetched just now: the doses are given after, while
	// they hold.
	now := time.Now().UTC()
	code := care.NewCosignCode(d.PatientID, d.ID)
	admin := giver.cosignedDose(d, code, now)
	cos := nils.cosign(d, code, now.Add(time.Second))

	// The co-signer's record first: it is accepted without an emergency
	// reason, the patient being in her unit part.
	if code, resp, raw := nils.sync(nils.sealRecord(cos)); code != 200 || resp.Results[0].Status != "accepted" {
		t.Fatalf("nils's cosign: %d %s", code, raw)
	}
	code2 := care.NewCosignCode(d.PatientID, d.ID)
	lonely := giver.cosignedDose(d, care.NewCosignCode(d.PatientID, d.ID), now.Add(2*time.Second))
	byWorker := giver.cosignedDose(d, code2, now.Add(3*time.Second))
	if code, resp, raw := giver.sync(giver.sealRecord(admin), giver.sealRecord(lonely), giver.sealRecord(byWorker)); code != 200 ||
		resp.Results[0].Status != "accepted" || resp.Results[1].Status != "accepted" || resp.Results[2].Status != "accepted" {
		t.Fatalf("the giver's sync: %d %s", code, raw)
	}
	if code, resp, raw := other.sync(other.sealRecord(other.cosign(d, code2, now.Add(4*time.Second)))); code != 200 || resp.Results[0].Status != "accepted" {
		t.Fatalf("the worker's cosign: %d %s", code, raw)
	}

	byRecord := map[string][]wire.Finding{}
	for _, k := range []string{wire.FindingCosignerUnverified, wire.FindingMissingCosignature} {
		var fr wire.FindingsResponse
		if code, raw := e.call("GET", "/api/v1/findings?kind="+k+"&patient="+d.PatientID, kari, nil, &fr); code != 200 {
			t.Fatalf("findings %s: %d %s", k, code, raw)
		}
		for _, f := range fr.Findings {
			for _, id := range f.RecordIDs {
				byRecord[id] = append(byRecord[id], f)
			}
		}
	}
	if fs := byRecord[admin.ID]; len(fs) != 0 {
		t.Errorf("the dose co-signed by the nurse on her own phone has findings %+v", fs)
	}
	if fs := byRecord[lonely.ID]; len(fs) != 1 || fs[0].Kind != wire.FindingMissingCosignature {
		t.Errorf("the dose nobody co-signed: %+v, want missing_cosignature", fs)
	}
	if fs := byRecord[byWorker.ID]; len(fs) != 1 || fs[0].Kind != wire.FindingCosignerUnverified || fs[0].Key != "finding.cosigner_unverified_role" {
		t.Errorf("the dose a worker co-signed: %+v, want cosigner_unverified for her role", fs)
	}

	// Each record's page shows the other.
	var v wire.RecordView
	if code, raw := e.call("GET", "/api/v1/records/"+admin.ID, kari, nil, &v); code != 200 || len(v.Cosigns) != 1 ||
		v.Cosigns[0].RecordID != cos.ID || v.Cosigns[0].Problem != "" || v.Cosigns[0].AuthorName != "Nils Hauge" {
		t.Errorf("the administration's page: %d %+v %s", code, v.Cosigns, raw)
	}
	v = wire.RecordView{}
	if code, raw := e.call("GET", "/api/v1/records/"+cos.ID, kari, nil, &v); code != 200 || len(v.Cosigns) != 1 || v.Cosigns[0].RecordID != admin.ID {
		t.Errorf("the cosign's page: %d %+v %s", code, v.Cosigns, raw)
	}

	// The export names the nurse as the administration's verifier.
	code3, raw := e.call("GET", "/api/v1/export/fhir?patient="+d.PatientID, kari, nil, nil)
	if code3 != 200 || !strings.Contains(string(raw), `"code":"verifier"`) || !strings.Contains(string(raw), "Practitioner/"+nils.login.User.ID) ||
		!strings.Contains(string(raw), `"resourceType":"Provenance"`) {
		t.Errorf("FHIR export: %d %.400s", code3, raw)
	}
	code3, raw = e.call("GET", "/api/v1/export/csv?patient="+d.PatientID, kari, nil, nil)
	if code3 != 200 || !strings.Contains(string(raw), ","+code+",Nils Hauge") {
		t.Errorf("CSV export: %d %s", code3, raw)
	}

	// Bad input.
	bad := nils.cosign(d, "ABC-123", now)
	wrong := nils.cosign(d, care.NewCosignCode(d.PatientID, "another-dose"), now)
	if code, resp, raw := nils.sync(nils.sealRecord(bad), nils.sealRecord(wrong)); code != 200 ||
		resp.Results[0].Code != wire.CodeInvalidInput || resp.Results[1].Code != wire.CodeInvalidInput {
		t.Errorf("a malformed code and another dose's code: %d %s", code, raw)
	}
	sara := e.phone("sara")
	if code, resp, raw := sara.sync(sara.sealRecord(sara.cosign(d, code, now))); code != 200 || resp.Results[0].Code != wire.CodeForbidden {
		t.Errorf("a nurse of another unit co-signing: %d %s", code, raw)
	}
	if code, raw := e.call("GET", "/api/v1/records/"+uuid.NewString(), kari, nil, nil); code != 404 {
		t.Errorf("an unknown record: %d %s", code, raw)
	}
}
