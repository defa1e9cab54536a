package server

import (
	"context"
	"testing"

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
		{store.AuditExport + " by " + adminID, 2, 0}, // an export is audited as it starts and as it ends
	}
	for _, c := range cases {
		if all[c.entry] != c.admin || mine[c.entry] != c.kari {
			t.Errorf("%s: admin sees %d (want %d), kari %d (want %d)", c.entry, all[c.entry], c.admin, mine[c.entry], c.kari)
		}
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
