package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// synced fills the server with records from anna (Nord) and per (Sør).
func synced(t *testing.T, e *testEnv) (anna, per *phoneKit, annaIDs, perIDs []string) {
	t.Helper()
	anna, per = e.phone("anna"), e.phone("per")
	for _, p := range []*phoneKit{anna, per} {
		var items []wire.SealedRecord
		var ids []string
		for i := 0; i < 3; i++ {
			r := p.note(p.ownPatient(), "Note "+string(rune('A'+i))+" by "+p.login.User.Name)
			items = append(items, p.sealRecord(r))
			ids = append(ids, r.ID)
		}
		if _, resp, raw := p.sync(items...); len(resp.Results) != 3 || resp.Results[0].Status != wire.SyncAccepted {
			t.Fatalf("sync: %s", raw)
		}
		if p == anna {
			annaIDs = ids
		} else {
			perIDs = ids
		}
	}
	return
}

func TestOfficeAccess(t *testing.T) {
	e := newEnv(t)
	_, _, annaIDs, _ := synced(t, e)
	kari, admin, nils := e.login("kari"), e.login("admin"), e.login("nils")
	paths := []string{"/api/v1/records", "/api/v1/records/" + annaIDs[0], "/api/v1/findings", "/api/v1/dashboard",
		"/api/v1/audit", "/api/v1/export/csv", "/api/v1/export/fhir", "/api/v1/directory"}
	for _, p := range paths {
		for _, c := range []struct {
			who    string
			token  string
			status int
		}{{"anonymous", "", 401}, {"nurse", nils.Token, 403}, {"coordinator", kari.Token, 200}, {"admin", admin.Token, 200}} {
			if code, raw := e.call("GET", p, c.token, nil, nil); code != c.status {
				t.Errorf("%s %s: %d %s", c.who, p, code, raw)
			}
		}
	}
	if code, _ := e.call("POST", "/api/v1/records/"+annaIDs[0]+"/reconcile", nils.Token, wire.ReconcileRequest{Action: "entered"}, nil); code != 403 {
		t.Fatalf("nurse reconciles: %d", code)
	}
}

func TestCoordinatorSeesOwnUnits(t *testing.T) {
	e := newEnv(t)
	_, per, annaIDs, perIDs := synced(t, e)
	// Make kari a coordinator of Nord only.
	kari, _ := e.db.AccountByUsername(context.Background(), "kari")
	kari.Units = []string{e.unitOf(t, annaIDs[0])}
	if err := e.db.PutAccount(context.Background(), kari); err != nil {
		t.Fatal(err)
	}
	tok := e.login("kari").Token
	var rr wire.RecordsResponse
	e.call("GET", "/api/v1/records", tok, nil, &rr)
	if len(rr.Records) != 3 {
		t.Fatalf("kari sees %d records, want anna's 3", len(rr.Records))
	}
	for _, r := range rr.Records {
		if r.AuthorName != "Anna Berg" || r.PatientName == "" || r.Record == nil || r.Record.Text == "" {
			t.Fatalf("view %+v", r)
		}
	}
	if code, _ := e.call("GET", "/api/v1/records/"+perIDs[0], tok, nil, nil); code != 404 {
		t.Fatalf("another unit's record: %d", code)
	}
	if code, _ := e.call("GET", "/api/v1/records?unit="+per.bundle.Units[0].ID, tok, nil, nil); code != 403 {
		t.Fatalf("another unit's filter: %d", code)
	}
	if code, _ := e.call("POST", "/api/v1/records/"+perIDs[0]+"/reconcile", tok, wire.ReconcileRequest{Action: "entered"}, nil); code != 404 {
		t.Fatalf("reconcile another unit's record: %d", code)
	}

	// Findings: one emergency access in each unit.
	nord, sor := kari.Units[0], per.bundle.Units[0].ID
	anna := e.phone("anna")
	for _, p := range []*phoneKit{anna, per} {
		r := p.note(p.unitPatient(), "Emergency visit")
		r.EmergencyReason = "Nobody else could go"
		if _, resp, raw := p.sync(p.sealRecord(r)); len(resp.Results) != 1 || resp.Results[0].Status != wire.SyncAccepted {
			t.Fatalf("sync: %s", raw)
		}
	}
	admin := e.login("admin").Token
	var fr wire.FindingsResponse
	e.call("GET", "/api/v1/findings?kind=emergency_access", admin, nil, &fr)
	found := map[string]string{}
	for _, f := range fr.Findings {
		found[f.UnitID] = f.ID
	}
	nordFinding, sorFinding := found[nord], found[sor]
	if nordFinding == "" || sorFinding == "" {
		t.Fatalf("findings %+v", fr.Findings)
	}
	resolve := func(who, token, id, query string, want int) {
		t.Helper()
		code, raw := e.call("POST", "/api/v1/findings/"+id+"/resolve"+query, token, wire.ResolveRequest{Comment: "Called the patient"}, nil)
		if code != want || (want == 404 && errorCode(t, raw) != wire.CodeNotFound) {
			t.Fatalf("%s resolves %s%s: %d %s", who, id, query, code, raw)
		}
	}
	resolve("kari", tok, sorFinding, "", 404)
	resolve("kari", tok, "0123456789abcdef", "", 404)
	if res, _ := e.db.FindingResolutions(context.Background()); len(res) != 0 {
		t.Fatalf("a refused resolution was stored: %+v", res)
	}
	// Outside the window named, the finding is still found among all of
	// Nord's.
	resolve("kari", tok, nordFinding, "?since=2001-01-01T00:00:00Z&until=2001-01-02T00:00:00Z", 200)
	resolve("admin", admin, sorFinding, "", 200)
	resolve("admin", admin, nordFinding, "", 200)

	// The audit log: Nord's entries, kari's own, nothing of Sør's and
	// nothing that cannot be placed in a unit.
	if code, _ := e.call("GET", "/api/v1/export/csv", admin, nil, nil); code != 200 {
		t.Fatal("export")
	}
	visible := func(token string) map[string]int {
		var ar wire.AuditResponse
		if code, raw := e.call("GET", "/api/v1/audit?limit=1000", token, nil, &ar); code != 200 {
			t.Fatalf("%d %s", code, raw)
		}
		seen := map[string]int{}
		for _, en := range ar.Entries {
			seen[en.Action+" "+en.Subject]++
			seen[en.Action+" by "+en.Actor]++
		}
		return seen
	}
	all, mine := visible(admin), visible(tok)
	adminID := e.login("admin").User.ID
	cases := []struct {
		entry       string
		admin, kari int
	}{
		{store.AuditSync + " " + annaIDs[0], 1, 1},
		{store.AuditSync + " " + perIDs[0], 1, 0},
		{store.AuditLogin + " by " + anna.login.User.ID, 2, 2},
		{store.AuditLogin + " by " + per.login.User.ID, 1, 0},
		{store.AuditBundle + " by " + per.login.User.ID, 1, 0},
		{store.AuditDevice + " by " + per.login.User.ID, 1, 0},
		{store.AuditEmergency + " by " + anna.login.User.ID, 1, 1},
		{store.AuditEmergency + " by " + per.login.User.ID, 1, 0},
		{store.AuditFindingResolve + " " + nordFinding, 2, 2},
		{store.AuditFindingResolve + " " + sorFinding, 1, 0},
		{store.AuditExport + " by " + adminID, 1, 0},
	}
	for _, c := range cases {
		if all[c.entry] != c.admin || mine[c.entry] != c.kari {
			t.Errorf("%s: admin sees %d (want %d), kari %d (want %d)", c.entry, all[c.entry], c.admin, mine[c.entry], c.kari)
		}
	}
}

// TestCoordinatorImportsForOwnUnits: items are upserted by source id, so a
// coordinator's plan must neither name another unit nor reuse an id that
// another unit's patient, visit, dose or routine holds.
func TestCoordinatorImportsForOwnUnits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	units, err := e.db.Units(ctx)
	if err != nil || len(units) != 2 {
		t.Fatalf("units %+v %v", units, err)
	}
	anna, _ := e.db.AccountByUsername(ctx, "anna")
	kari, _ := e.db.AccountByUsername(ctx, "kari")
	nord, sor := units[0], units[1]
	if nord.ID != anna.Units[0] {
		nord, sor = sor, nord
	}
	put := func(token string, pl plan.Plan) (int, wire.PlanErrorBody, []byte) {
		t.Helper()
		body, err := json.Marshal(pl)
		if err != nil {
			t.Fatal(err)
		}
		code, raw := e.raw("POST", "/api/v1/plan", token, "application/json", body)
		var eb wire.PlanErrorBody
		json.Unmarshal(raw, &eb)
		return code, eb, raw
	}
	day := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	patient := func(source string, unit care.Unit) plan.Patient {
		return plan.Patient{SourceID: source, Unit: unit.Name, Name: "Pasient " + source, Address: "Veien 1"}
	}
	visit := func(source, patient, worker string) plan.Visit {
		return plan.Visit{SourceID: source, PatientSourceID: patient, Worker: worker, Start: day, DurationMinutes: 30}
	}
	dose := func(source, patient string) plan.Dose {
		return plan.Dose{SourceID: source, PatientSourceID: patient, Medication: "Paracetamol", Dose: "1 g", Route: "oral", Due: day}
	}
	routine := func(id string, units ...string) care.Routine {
		return care.Routine{ID: id, Title: "Rutine " + id, Scenario: care.ScenarioOther, Steps: []string{"Ring basen"}, Units: units}
	}

	// Sør's own items, imported by an admin.
	admin := e.login("admin").Token
	if code, _, raw := put(admin, plan.Plan{Patients: []plan.Patient{patient("S-1", sor)}, Visits: []plan.Visit{visit("SV-1", "S-1", "per")},
		Medications: []plan.Dose{dose("SD-1", "S-1")}, Routines: []care.Routine{routine("SR-1", sor.ID)}}); code != 200 {
		t.Fatalf("admin imports for Sør: %d %s", code, raw)
	}
	everyUnit := ""
	rts, _ := e.db.Routines(ctx)
	for _, rt := range rts {
		if len(rt.Units) == 0 {
			everyUnit = rt.ID
		}
	}
	if everyUnit == "" {
		t.Fatal("no routine for every unit in the demo")
	}

	kari.Units = []string{nord.ID}
	if err := e.db.PutAccount(ctx, kari); err != nil {
		t.Fatal(err)
	}
	tok := e.login("kari").Token
	n1 := []plan.Patient{patient("N-1", nord)}
	cases := []struct {
		name   string
		plan   plan.Plan
		column string
		code   wire.Code // conflict: the plan names another unit's source ids
	}{
		{"another unit's patient moved into mine", plan.Plan{Patients: []plan.Patient{patient("S-1", nord), patient("N-1", nord)}}, "patients[0].source_id", wire.CodeConflict},
		{"a patient for another unit", plan.Plan{Patients: []plan.Patient{patient("N-2", sor)}}, "patients[0].unit", wire.CodeInvalidInput},
		{"another unit's visit overwritten", plan.Plan{Patients: n1, Visits: []plan.Visit{visit("SV-1", "N-1", "anna")}}, "visits[0].source_id", wire.CodeConflict},
		{"a visit to another unit's patient", plan.Plan{Visits: []plan.Visit{visit("NV-1", "S-1", "per")}}, "visits[0].patient_source_id", wire.CodeInvalidInput},
		{"another unit's dose overwritten", plan.Plan{Patients: n1, Medications: []plan.Dose{dose("SD-1", "N-1")}}, "medications[0].source_id", wire.CodeConflict},
		{"a dose for another unit's patient", plan.Plan{Medications: []plan.Dose{dose("ND-1", "S-1")}}, "medications[0].patient_source_id", wire.CodeInvalidInput},
		{"another unit's routine overwritten", plan.Plan{Routines: []care.Routine{routine("SR-1", nord.ID)}}, "routines[0].id", wire.CodeConflict},
		{"every unit's routine overwritten", plan.Plan{Routines: []care.Routine{routine(everyUnit)}}, "routines[0].id", wire.CodeConflict},
		{"a routine for another unit", plan.Plan{Routines: []care.Routine{routine("NR-1", nord.ID, sor.ID)}}, "routines[0].units", wire.CodeInvalidInput},
	}
	for _, c := range cases {
		code, eb, raw := put(tok, c.plan)
		want := map[wire.Code]int{wire.CodeInvalidInput: 400, wire.CodeConflict: 409}[c.code]
		if code != want || eb.Error.Code != c.code || len(eb.Problems) != 1 || eb.Problems[0].Column != c.column {
			t.Errorf("%s: %d %s", c.name, code, raw)
		}
	}
	// Nothing of the refused plans was stored, and Sør's items are as they were.
	if _, err := e.db.Patient(ctx, plan.IDFor("patient", "N-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused plan stored a patient: %v", err)
	}
	if p, err := e.db.Patient(ctx, plan.IDFor("patient", "S-1")); err != nil || p.UnitID != sor.ID || p.Name != "Pasient S-1" {
		t.Fatalf("Sør's patient %+v %v", p, err)
	}
	if v, err := e.db.Visit(ctx, plan.IDFor("visit", "SV-1")); err != nil || v.UnitID != sor.ID {
		t.Fatalf("Sør's visit %+v %v", v, err)
	}
	if d, err := e.db.Dose(ctx, plan.IDFor("dose", "SD-1")); err != nil || d.PatientID != plan.IDFor("patient", "S-1") {
		t.Fatalf("Sør's dose %+v %v", d, err)
	}
	if rt, err := e.db.Routine(ctx, plan.IDFor("routine", "SR-1")); err != nil || !slices.Equal(rt.Units, []string{sor.ID}) {
		t.Fatalf("Sør's routine %+v %v", rt, err)
	}

	// Her own unit's plan goes through; a routine without units is for hers.
	if code, _, raw := put(tok, plan.Plan{Patients: n1, Visits: []plan.Visit{visit("NV-1", "N-1", "anna")},
		Medications: []plan.Dose{dose("ND-1", "N-1")}, Routines: []care.Routine{routine("NR-2")}}); code != 200 {
		t.Fatalf("kari imports for Nord: %d %s", code, raw)
	}
	if rt, err := e.db.Routine(ctx, plan.IDFor("routine", "NR-2")); err != nil || !slices.Equal(rt.Units, []string{nord.ID}) {
		t.Fatalf("kari's routine %+v %v", rt, err)
	}
	// An admin moves a patient between units, and so does a coordinator
	// of both.
	if code, _, raw := put(admin, plan.Plan{Patients: []plan.Patient{patient("S-1", nord)}}); code != 200 {
		t.Fatalf("admin moves a patient: %d %s", code, raw)
	}
	kari.Units = []string{nord.ID, sor.ID}
	if err := e.db.PutAccount(ctx, kari); err != nil {
		t.Fatal(err)
	}
	if code, _, raw := put(e.login("kari").Token, plan.Plan{Patients: []plan.Patient{patient("S-1", sor)}}); code != 200 {
		t.Fatalf("a coordinator of both units moves a patient: %d %s", code, raw)
	}
	if p, _ := e.db.Patient(ctx, plan.IDFor("patient", "S-1")); p.UnitID != sor.ID {
		t.Fatalf("patient in %s, want Sør", p.UnitID)
	}
}

// unitOf reads a stored record's unit.
func (e *testEnv) unitOf(t *testing.T, id string) string {
	sr, err := e.db.StoredRecordByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sr.UnitID
}

func TestRecordFiltersAndPaging(t *testing.T) {
	e := newEnv(t)
	anna, _, annaIDs, _ := synced(t, e)
	tok := e.login("admin").Token
	get := func(q string) wire.RecordsResponse {
		var rr wire.RecordsResponse
		if code, raw := e.call("GET", "/api/v1/records?"+q, tok, nil, &rr); code != 200 {
			t.Fatalf("%s: %d %s", q, code, raw)
		}
		return rr
	}
	cases := []struct {
		query string
		want  int
	}{
		{"", 6},
		{"author=" + anna.login.User.ID, 3},
		{"patient=" + anna.ownPatient(), 3},
		{"unit=" + anna.bundle.Units[0].ID, 3},
		{"type=note", 6},
		{"type=medication", 0},
		{"state=new", 6},
		{"state=entered", 0},
		{"since=" + url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), 0},
	}
	for _, c := range cases {
		if got := len(get(c.query).Records); got != c.want {
			t.Errorf("%q: %d records, want %d", c.query, got, c.want)
		}
	}
	// Pages of two, newest first, without repeats.
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		rr := get("limit=2&cursor=" + cursor)
		pages++
		for _, r := range rr.Records {
			if seen[r.ID] {
				t.Fatalf("record %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		if rr.Next == "" {
			break
		}
		cursor = rr.Next
	}
	if len(seen) != 6 || pages != 3 {
		t.Fatalf("%d records over %d pages", len(seen), pages)
	}
	for _, bad := range []string{"type=diary", "state=lost", "limit=0", "since=yesterday", "cursor=***"} {
		if code, raw := e.call("GET", "/api/v1/records?"+bad, tok, nil, nil); code != 400 || errorCode(t, raw) != wire.CodeInvalidInput {
			t.Errorf("%s: %d %s", bad, code, raw)
		}
	}
	_ = annaIDs
}

func TestReconcile(t *testing.T) {
	e := newEnv(t)
	anna, _, ids, _ := synced(t, e)
	tok := e.login("kari").Token
	cases := []struct {
		name   string
		id     string
		req    any
		status int
		code   wire.Code
		state  string
	}{
		{"void without a reason", ids[0], wire.ReconcileRequest{Action: "void"}, 400, wire.CodeInvalidInput, "new"},
		{"void with a blank reason", ids[0], wire.ReconcileRequest{Action: "void", Reason: "  "}, 400, wire.CodeInvalidInput, "new"},
		{"unknown action", ids[0], wire.ReconcileRequest{Action: "delete"}, 400, wire.CodeInvalidInput, "new"},
		{"broken JSON", ids[0], `{"action":`, 400, wire.CodeInvalidInput, "new"},
		{"unknown record", "0190b6a2-0000-7000-8000-000000000000", wire.ReconcileRequest{Action: "entered"}, 404, wire.CodeNotFound, ""},
		{"entered with a reference", ids[0], wire.ReconcileRequest{Action: "entered", EHRRef: "EPJ-4711", EnteredBy: anna.login.User.ID}, 200, "", "entered"},
		{"entered twice", ids[0], wire.ReconcileRequest{Action: "entered"}, 409, wire.CodeConflict, "entered"},
		{"void with a reason", ids[1], wire.ReconcileRequest{Action: "void", Reason: "Written on the wrong patient"}, 200, "", "void"},
		{"entered after void", ids[1], wire.ReconcileRequest{Action: "entered"}, 409, wire.CodeConflict, "void"},
		{"entered_by not a user", ids[2], wire.ReconcileRequest{Action: "entered", EnteredBy: "nobody"}, 400, wire.CodeInvalidInput, "new"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v wire.RecordView
			code, raw := e.call("POST", "/api/v1/records/"+c.id+"/reconcile", tok, c.req, &v)
			if code != c.status {
				t.Fatalf("%d %s", code, raw)
			}
			if c.code != "" && errorCode(t, raw) != c.code {
				t.Fatalf("%s", raw)
			}
			if c.state != "" {
				sr, _ := e.db.StoredRecordByID(context.Background(), c.id)
				if sr.State != c.state {
					t.Fatalf("state %s, want %s", sr.State, c.state)
				}
			}
		})
	}
	sr, _ := e.db.StoredRecordByID(context.Background(), ids[0])
	if sr.EHRRef != "EPJ-4711" || sr.EnteredBy != anna.login.User.ID || sr.ReconciledBy == "" || sr.ReconciledAt.IsZero() {
		t.Fatalf("entered record %+v", sr)
	}
	var detail wire.RecordView
	e.call("GET", "/api/v1/records/"+ids[0], tok, nil, &detail)
	actions := []string{}
	for _, h := range detail.History {
		actions = append(actions, h.Action)
	}
	if strings.Join(actions, ",") != "sync.accept,record.reconcile" || detail.EnteredByName != "Anna Berg" || detail.DeviceLabel == "" || detail.BundleIssuedAt == nil {
		t.Fatalf("detail history %v, %+v", actions, detail)
	}
}

func TestBulkReconcileIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	_, _, ids, perIDs := synced(t, e)
	tok := e.login("kari").Token
	e.call("POST", "/api/v1/records/"+ids[0]+"/reconcile", tok, wire.ReconcileRequest{Action: "void", Reason: "dup"}, nil)
	// One of them is already void: nothing changes.
	code, raw := e.call("POST", "/api/v1/records/reconcile", tok, wire.ReconcileRequest{IDs: ids, Action: "entered"}, nil)
	if code != 409 {
		t.Fatalf("%d %s", code, raw)
	}
	for _, id := range ids[1:] {
		if sr, _ := e.db.StoredRecordByID(context.Background(), id); sr.State != store.StateNew {
			t.Fatalf("a failed bulk changed %s", id)
		}
	}
	var rr wire.RecordsResponse
	if code, raw := e.call("POST", "/api/v1/records/reconcile", tok, wire.ReconcileRequest{IDs: append(ids[1:], perIDs...), Action: "entered"}, &rr); code != 200 || len(rr.Records) != 5 {
		t.Fatalf("%d %s", code, raw)
	}
	if n, err := e.db.VerifyAudit(context.Background()); err != nil || n == 0 {
		t.Fatal(err)
	}
}

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

func TestExports(t *testing.T) {
	e := newEnv(t)
	synced(t, e)
	tok := e.login("admin").Token
	code, raw := e.call("GET", "/api/v1/export/csv", tok, nil, nil)
	if code != 200 || strings.Count(string(raw), "\n") != 7 || !strings.HasPrefix(string(raw), "id,type,state,") {
		t.Fatalf("csv %d %s", code, raw)
	}
	code, raw = e.call("GET", "/api/v1/export/fhir?type=note", tok, nil, nil)
	if code != 200 {
		t.Fatalf("fhir %d %s", code, raw)
	}
	b, err := fhir.UnmarshalBundle(raw)
	if err != nil || len(b.Entry) != 6 {
		t.Fatalf("bundle %v, %v", len(b.Entry), err)
	}
	var head struct{ ResourceType string }
	json.Unmarshal(b.Entry[0].Resource, &head)
	if head.ResourceType != "Communication" {
		t.Fatalf("resource %s", head.ResourceType)
	}
	var ar wire.AuditResponse
	e.call("GET", "/api/v1/audit", tok, nil, &ar)
	exports := 0
	for _, en := range ar.Entries {
		if en.Action == store.AuditExport {
			exports++
		}
	}
	if exports != 2 {
		t.Fatalf("%d export entries in the audit log", exports)
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
