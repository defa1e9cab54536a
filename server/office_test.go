package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"beredskap/internal/care"
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
