package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plan"
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
	// A double-check dose and an ordinary one, due half an hour ago (a
	// dose's double check applies once it is due), for one of nils's own
	// patients, imported as the record system's plan would bring them.
	pt, _ := e.phone("nils").bundle.Patient(e.phone("nils").ownPatient())
	due := time.Now().UTC().Add(-30 * time.Minute).Truncate(time.Minute)
	body, _ := json.Marshal(plan.Plan{Medications: []plan.Dose{
		{SourceID: "DC-1", PatientSourceID: pt.SourceID, Medication: "Morfin", Dose: "5 mg", Route: "subkutant", Due: due, DoubleCheck: true},
		{SourceID: "DC-2", PatientSourceID: pt.SourceID, Medication: "Paracet", Dose: "1 g", Route: "oral", Due: due},
	}})
	if code, raw := e.raw("POST", "/api/v1/plan", e.login("kari").Token, "application/json", body); code != 200 {
		t.Fatalf("plan: %d %s", code, raw)
	}
	nils := e.phone("nils")
	var double, plain *care.ScheduledDose
	for i, d := range nils.bundle.Medications {
		switch {
		case d.PatientID != pt.ID || !d.Due.Equal(due):
		case d.Medication == "Morfin":
			double = &nils.bundle.Medications[i]
		case d.Medication == "Paracet":
			plain = &nils.bundle.Medications[i]
		}
	}
	if double == nil || plain == nil || !double.DoubleCheck || plain.DoubleCheck {
		t.Fatalf("nils's shift lacks the imported doses: %+v, %+v", double, plain)
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

// TestFindingsPages: the findings list pages with a cursor, says how
// many match, filters by status, and refuses filters it does not know.
func TestFindingsPages(t *testing.T) {
	e := newEnv(t)
	nils := e.phone("nils")
	// Every dose of nils's shift given twice makes findings enough to page.
	var items []wire.SealedRecord
	for _, d := range nils.bundle.Medications {
		if !nils.bundle.OwnPatient(d.PatientID) {
			continue
		}
		for range 2 {
			nils.seq++
			at := time.Now().UTC()
			r := care.Record{ID: newID(), Type: care.RecordMedication, DeviceID: nils.deviceID, AuthorID: nils.login.User.ID,
				PatientID: d.PatientID, VisitID: d.VisitID, ScheduleID: d.ID, CreatedAt: at, Seq: nils.seq,
				Medication: d.Medication, Dose: d.Dose, Route: d.Route, Status: care.DoseGiven, AdministeredAt: &at,
				SignatureSVG: "M1 1 L2 2", CosignerName: "Kari", CosignerSignatureSVG: "M1 1 L2 3"}
			items = append(items, nils.sealRecord(r))
		}
	}
	nils.sync(items...)
	tok := e.login("kari").Token
	var all wire.FindingsResponse
	if code, raw := e.call("GET", "/api/v1/findings?limit=1000", tok, nil, &all); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	if all.Total != len(all.Findings) || all.Total < 3 || all.Next != "" {
		t.Fatalf("all: total %d, %d findings, next %q", all.Total, len(all.Findings), all.Next)
	}
	var paged []wire.Finding
	q := "/api/v1/findings?limit=2"
	for pages := 0; ; pages++ {
		var fr wire.FindingsResponse
		if code, raw := e.call("GET", q, tok, nil, &fr); code != 200 {
			t.Fatalf("%s: %d %s", q, code, raw)
		}
		if fr.Total != all.Total || len(fr.Findings) > 2 {
			t.Fatalf("page %d: total %d of %d, %d findings", pages, fr.Total, all.Total, len(fr.Findings))
		}
		paged = append(paged, fr.Findings...)
		if fr.Next == "" {
			break
		}
		q = "/api/v1/findings?limit=2&cursor=" + fr.Next
	}
	if len(paged) != len(all.Findings) {
		t.Fatalf("paged %d findings, all %d", len(paged), len(all.Findings))
	}
	for i := range paged {
		if paged[i].ID != all.Findings[i].ID {
			t.Fatalf("finding %d: paged %s, all %s", i, paged[i].ID, all.Findings[i].ID)
		}
	}
	id := all.Findings[0].ID
	if code, raw := e.call("POST", "/api/v1/findings/"+id+"/resolve", tok, wire.ResolveRequest{Comment: "checked"}, nil); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var open, done wire.FindingsResponse
	e.call("GET", "/api/v1/findings?status=open&limit=1000", tok, nil, &open)
	e.call("GET", "/api/v1/findings?status=resolved", tok, nil, &done)
	if open.Total != all.Total-1 || done.Total != 1 || done.Findings[0].ID != id || done.Findings[0].Resolved == nil {
		t.Fatalf("open %d, resolved %+v", open.Total, done.Findings)
	}
	for _, bad := range []string{"status=closed", "limit=0", "limit=1001", "limit=x", "cursor=%21%21", "kind=nonsense"} {
		if code, raw := e.call("GET", "/api/v1/findings?"+bad, tok, nil, nil); code != 400 || !strings.Contains(string(raw), `"invalid_input"`) {
			t.Errorf("%s: %d %s", bad, code, raw)
		}
	}
}
