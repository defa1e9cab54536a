package server

import (
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestFindingsAndResolution(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	// Two "given" for one scheduled dose.
	var dose care.ScheduledDose
	for _, d := range nils.bundle.Medications {
		if nils.bundle.OwnPatient(d.PatientID) {
			dose = d
			break
		}
	}
	var items []wire.SealedRecord
	for i := 0; i < 2; i++ {
		nils.seq++
		at := time.Now().UTC()
		r := care.Record{ID: newID(), Type: care.RecordMedication, DeviceID: nils.deviceID, AuthorID: nils.login.User.ID,
			PatientID: dose.PatientID, VisitID: dose.VisitID, ScheduleID: dose.ID, CreatedAt: at, Seq: nils.seq,
			Medication: dose.Medication, Dose: dose.Dose, Route: dose.Route, Status: care.DoseGiven, AdministeredAt: &at,
			SignatureSVG: "M1 1 L2 2", CosignerName: "Kari", CosignerSignatureSVG: "M1 1 L2 3"}
		items = append(items, nils.sealRecord(r))
	}
	nils.sync(items...)
	tok := e.login("kari").Token
	var fr wire.FindingsResponse
	if code, raw := e.call("GET", "/api/v1/findings?kind=double_administration", tok, nil, &fr); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if len(fr.Findings) != 1 || len(fr.Findings[0].RecordIDs) != 2 || fr.Findings[0].PatientID != dose.PatientID || fr.Findings[0].Resolved != nil {
		t.Fatalf("findings %+v", fr.Findings)
	}
	id := fr.Findings[0].ID
	if code, _ := e.call("POST", "/api/v1/findings/"+id+"/resolve", tok, wire.ResolveRequest{}, nil); code != 400 {
		t.Fatal("resolved without a comment")
	}
	if code, raw := e.call("POST", "/api/v1/findings/"+id+"/resolve", tok, wire.ResolveRequest{Comment: "Second signature was a correction; voided"}, nil); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	e.call("GET", "/api/v1/findings?kind=double_administration", tok, nil, &fr)
	if fr.Findings[0].Resolved == nil || !strings.Contains(fr.Findings[0].Resolved.Comment, "correction") {
		t.Fatalf("resolution %+v", fr.Findings[0])
	}
	var d wire.Dashboard
	e.call("GET", "/api/v1/dashboard", tok, nil, &d)
	if d.Records != 2 || d.States["new"] != 2 || d.Findings[wire.FindingDoubleAdministration] != 1 {
		t.Fatalf("dashboard %+v", d)
	}
	if code, raw := e.call("GET", "/api/v1/findings?since=nope", tok, nil, nil); code != 400 {
		t.Fatalf("%d %s", code, raw)
	}
}

// TestDoubleCheckWithoutSecondSigner: a double-check dose synced as given
// with only the giver's signature is a missing_cosignature finding; the
// same dose with a second signer, and an ordinary dose without one, are not.
func TestDoubleCheckWithoutSecondSigner(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	var double, plain *care.ScheduledDose
	for i, d := range nils.bundle.Medications {
		switch {
		case !nils.bundle.OwnPatient(d.PatientID):
		case d.DoubleCheck && double == nil:
			double = &nils.bundle.Medications[i]
		case !d.DoubleCheck && plain == nil:
			plain = &nils.bundle.Medications[i]
		}
	}
	if double == nil || plain == nil {
		t.Fatal("nils's shift has no double-check dose and ordinary dose to test with")
	}
	given := func(d *care.ScheduledDose, cosigned bool) (string, wire.SealedRecord) {
		nils.seq++
		at := time.Now().UTC()
		r := care.Record{ID: newID(), Type: care.RecordMedication, DeviceID: nils.deviceID, AuthorID: nils.login.User.ID,
			PatientID: d.PatientID, VisitID: d.VisitID, ScheduleID: d.ID, CreatedAt: at, Seq: nils.seq,
			Medication: d.Medication, Dose: d.Dose, Route: d.Route, Status: care.DoseGiven, AdministeredAt: &at,
			SignatureSVG: "M1 1 L2 2"}
		if cosigned {
			r.CosignerName, r.CosignerSignatureSVG = "Kari Lunde", "M1 1 L2 3"
		}
		return r.ID, nils.sealRecord(r)
	}
	alone, a := given(double, false)
	_, b := given(double, true)
	_, c := given(plain, false)
	if code, resp, raw := nils.sync(a, b, c); code != 200 || len(resp.Results) != 3 {
		t.Fatalf("sync: %d %s", code, raw)
	}
	var fr wire.FindingsResponse
	if code, raw := e.call("GET", "/api/v1/findings?kind="+wire.FindingMissingCosignature, e.login("kari").Token, nil, &fr); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if len(fr.Findings) != 1 || len(fr.Findings[0].RecordIDs) != 1 || fr.Findings[0].RecordIDs[0] != alone ||
		fr.Findings[0].ScheduleID != double.ID {
		t.Fatalf("findings %+v, want one for %s", fr.Findings, alone)
	}
}
