package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// units returns the demo's Nord and Sør.
func (e *testEnv) nordSor(t *testing.T) (nord, sor care.Unit) {
	t.Helper()
	ctx := context.Background()
	units, err := e.db.Units(ctx)
	if err != nil || len(units) != 2 {
		t.Fatalf("units %+v %v", units, err)
	}
	anna, _ := e.db.AccountByUsername(ctx, "anna")
	nord, sor = units[0], units[1]
	if nord.ID != anna.Units[0] {
		nord, sor = sor, nord
	}
	return nord, sor
}

// coordinatorOf makes kari a coordinator of the units only and logs her in.
func (e *testEnv) coordinatorOf(t *testing.T, units ...string) string {
	t.Helper()
	kari, _ := e.db.AccountByUsername(context.Background(), "kari")
	kari.Units = units
	if err := e.db.PutAccount(context.Background(), kari); err != nil {
		t.Fatal(err)
	}
	return e.login("kari").Token
}

func errorBody(t *testing.T, raw []byte) wire.PlanErrorBody {
	t.Helper()
	var eb wire.PlanErrorBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
	return eb
}

// TestPlanFieldOverItsLimit: the review's 10 MB patient name is refused
// with 400 naming the field and the limit, and nothing is stored.
func TestPlanFieldOverItsLimit(t *testing.T) {
	e := newEnv(t)
	nord, _ := e.nordSor(t)
	name := strings.Repeat("Å", 5<<20) // 10 MB
	body, _ := json.Marshal(plan.Plan{Patients: []plan.Patient{{SourceID: "BIG-1", Unit: nord.Name, Name: name, Address: "Veien 1"}}})
	code, raw := e.raw("POST", "/api/v1/plan", e.login("kari").Token, "application/json", body)
	eb := errorBody(t, raw)
	want := fmt.Sprint(care.MaxNameBytes)
	if code != 400 || eb.Error.Code != wire.CodeInvalidInput || len(eb.Problems) != 1 || eb.Problems[0].Column != "patients[0].name" ||
		!strings.Contains(eb.Problems[0].Problem, want) || !strings.Contains(eb.Error.Message, "name") || !strings.Contains(eb.Error.Message, want) {
		t.Fatalf("%d %.500s", code, raw)
	}
	if _, err := e.db.Patient(t.Context(), plan.IDFor("patient", "BIG-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the patient was stored: %v", err)
	}
}

// TestPlanBodyMustBeText: invalid UTF-8, NUL bytes, null where a value is
// needed and data after the plan are each refused with 400, nothing stored.
func TestPlanBodyMustBeText(t *testing.T) {
	e := newEnv(t)
	nord, _ := e.nordSor(t)
	kari := e.login("kari").Token
	csvHead := "kind,source_id,unit,name,address\n"
	csvRow := func(name string) string { return "patient,T-1," + nord.Name + "," + name + ",Veien 1\n" }
	patient := `{"source_id":"T-1","unit":"` + nord.Name + `","name":"Åse","address":"Veien 1"}`
	cases := []struct {
		name, ctype, body, column string
	}{
		{"csv not utf-8", "text/csv", csvHead + csvRow("\xc5se"), "byte"},
		{"csv with nul", "text/csv", csvHead + csvRow("Å\x00se"), "byte"},
		{"json not utf-8", "application/json", `{"patients":[{"source_id":"T-1","unit":"` + nord.Name + `","name":"` + "\xc5se" + `","address":"V"}]}`, "byte"},
		{"json with nul", "application/json", `{"patients":[` + patient + "\x00" + `]}`, "byte"},
		{"json with escaped nul", "application/json", `{"patients":[{"source_id":"T-1","unit":"` + nord.Name + `","name":"\u0000","address":"V"}]}`, "patients[0].name"},
		{"null body", "application/json", "null", "body"},
		{"null body with spaces", "application/json", " \n null \n", "body"},
		{"null patient", "application/json", `{"patients":[` + patient + `,null]}`, "patients[1]"},
		{"null contact", "application/json", `{"patients":[{"source_id":"T-1","unit":"N","name":"Å","address":"V","gp":null}]}`, "patients[0].gp"},
		{"trailing object", "application/json", `{"patients":[` + patient + `]} {"patients":[]}`, "byte"},
		{"trailing garbage", "application/json", `{"patients":[` + patient + `]}x`, "byte"},
		{"empty body", "application/json", "", "body"},
	}
	for _, c := range cases {
		code, raw := e.raw("POST", "/api/v1/plan", kari, c.ctype, []byte(c.body))
		eb := errorBody(t, raw)
		if code != 400 || eb.Error.Code != wire.CodeInvalidInput || len(eb.Problems) != 1 || !strings.HasPrefix(eb.Problems[0].Column, c.column) {
			t.Errorf("%s: %d %s", c.name, code, raw)
		}
	}
	if _, err := e.db.Patient(t.Context(), plan.IDFor("patient", "T-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused plan stored the patient: %v", err)
	}
	// A list written as null is no items, as Go's encoder writes it.
	code, raw := e.raw("POST", "/api/v1/plan", kari, "application/json", []byte(`{"patients":[`+patient+`],"visits":null,"medications":null,"routines":null}`))
	if code != 200 {
		t.Fatalf("null lists: %d %s", code, raw)
	}
}

// TestLargePlanOverHTTP: 10,000 patients with their visits and doses import
// (a Badger "Txn is too big" made that a 500 before); a plan over the
// limit is 413 naming the limit, never 500.
func TestLargePlanOverHTTP(t *testing.T) {
	e := newEnv(t)
	nord, _ := e.nordSor(t)
	kari := e.coordinatorOf(t, nord.ID)
	var b strings.Builder
	b.WriteString("kind,source_id,unit,name,address,access_info,patient_source_id,worker,start,duration_minutes,tasks,visit_source_id,medication,dose,route,due\n")
	for i := range plan.MaxPatients {
		fmt.Fprintf(&b, "patient,L-%d,%s,Pasient %d Nordmann,Storgata %d,Nøkkelboks ved døren,,,,,,,,,,\n", i, nord.Name, i, i)
		fmt.Fprintf(&b, "visit,LV-%d,,,,,L-%d,anna,2026-11-24 08:00,30,Morgenstell;Medisiner,,,,,\n", i, i)
		for d := range 2 {
			fmt.Fprintf(&b, "dose,LD-%d-%d,,,,,L-%d,,,,,LV-%d,Paracetamol,1 g,oral,2026-11-24 08:%02d\n", i, d, i, i, d)
		}
	}
	code, raw := e.raw("POST", "/api/v1/plan", kari, "text/csv", []byte(b.String()))
	var rep wire.PlanReport
	if code != 200 || json.Unmarshal(raw, &rep) != nil || !rep.Stored || rep.Patients != plan.MaxPatients || rep.Medications != 2*plan.MaxPatients {
		t.Fatalf("%d %.500s", code, raw)
	}
	pts, err := e.db.PatientsByUnit(t.Context(), nord.ID)
	if err != nil || len(pts) < plan.MaxPatients {
		t.Fatalf("%d patients in Nord, %v", len(pts), err)
	}

	// The review's 200,000 rows.
	b.Reset()
	b.WriteString("kind,source_id,unit,name,address\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "patient,X-%d,%s,P %d,V %d\n", i, nord.Name, i, i)
	}
	code, raw = e.raw("POST", "/api/v1/plan", kari, "text/csv", []byte(b.String()))
	eb := errorBody(t, raw)
	if code != 413 || eb.Error.Code != wire.CodeTooLarge || !strings.Contains(eb.Error.Message, fmt.Sprint(plan.MaxPatients)) {
		t.Fatalf("200,000 rows: %d %.500s", code, raw)
	}
	if _, err := e.db.Patient(t.Context(), plan.IDFor("patient", "X-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused plan stored a patient: %v", err)
	}
}

// TestPlanCannotClaimAnotherUnitsSourceID: the demo's patients carry
// source ids and their ids derive from them as an import's do, so a
// coordinator of Nord who imports a Sør patient's source id is refused
// with 409 instead of making a second patient under the same source id.
func TestPlanCannotClaimAnotherUnitsSourceID(t *testing.T) {
	e := newEnv(t)
	nord, sor := e.nordSor(t)
	ctx := t.Context()
	sors, err := e.db.PatientsByUnit(ctx, sor.ID)
	if err != nil || len(sors) == 0 || sors[0].SourceID == "" {
		t.Fatalf("Sør's demo patients %v", err)
	}
	victim := sors[0]
	if victim.ID != plan.IDFor("patient", victim.SourceID) {
		t.Fatalf("demo patient %s has id %s, not the import scheme's", victim.SourceID, victim.ID)
	}
	kari := e.coordinatorOf(t, nord.ID)
	body, _ := json.Marshal(plan.Plan{Patients: []plan.Patient{{SourceID: victim.SourceID, Unit: nord.Name, Name: "Claimed", Address: "Veien 1"}}})
	code, raw := e.raw("POST", "/api/v1/plan", kari, "application/json", body)
	eb := errorBody(t, raw)
	if code != 409 || eb.Error.Code != wire.CodeConflict || len(eb.Problems) != 1 || !strings.Contains(eb.Problems[0].Problem, "not yours") {
		t.Fatalf("%d %s", code, raw)
	}
	got, err := e.db.Patient(ctx, victim.ID)
	if err != nil || got.Name != victim.Name || got.UnitID != sor.ID {
		t.Fatalf("Sør's patient changed: %+v %v", got, err)
	}
	nords, _ := e.db.PatientsByUnit(ctx, nord.ID)
	for _, p := range nords {
		if p.SourceID == victim.SourceID {
			t.Fatalf("Nord got a patient with Sør's source id: %+v", p)
		}
	}
}

// TestOfficeTextLimits: routines, announcements, users and device labels
// over their limits are 400 invalid_input naming the field and the limit.
func TestOfficeTextLimits(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	admin := e.login("admin").Token
	nord, _ := e.nordSor(t)
	long := func(n int) string { return strings.Repeat("x", n+1) }
	cases := []struct {
		name, method, path, token string
		body                      any
		field                     string
		limit                     int
	}{
		{"routine step", "POST", "/api/v1/routines", kari, care.Routine{Title: "T", Scenario: care.ScenarioOther,
			Steps: []string{long(care.MaxLineBytes)}}, "steps[0]", care.MaxLineBytes},
		{"routine title", "POST", "/api/v1/routines", kari, care.Routine{Title: long(care.MaxNameBytes), Scenario: care.ScenarioOther,
			Steps: []string{"s"}}, "title", care.MaxNameBytes},
		{"routine contact", "POST", "/api/v1/routines", kari, care.Routine{Title: "T", Scenario: care.ScenarioOther,
			Steps: []string{"s"}, Contacts: []care.Contact{{Name: long(care.MaxNameBytes)}}}, "contacts[0].name", care.MaxNameBytes},
		{"announcement", "POST", "/api/v1/announcements", kari, wire.AnnouncementRequest{Level: "info", Text: long(care.MaxNoteBytes)}, "text", care.MaxNoteBytes},
		{"outage note", "POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start", Note: long(care.MaxNoteBytes)}, "note", care.MaxNoteBytes},
		{"user name", "POST", "/api/v1/users", admin, wire.NewUserRequest{Username: "ny", Name: strings.Repeat("漢", 70), // 70 characters, 210 bytes
			Role: care.RoleWorker, Units: []string{nord.ID}, Password: "lang-nok-passord-1"}, "name", care.MaxNameBytes},
	}
	for _, c := range cases {
		code, raw := e.call(c.method, c.path, c.token, c.body, nil)
		var eb wire.ErrorBody
		_ = json.Unmarshal(raw, &eb)
		if code != 400 || eb.Error.Code != wire.CodeInvalidInput || !strings.Contains(eb.Error.Message, c.field) ||
			!strings.Contains(eb.Error.Message, fmt.Sprint(c.limit)) {
			t.Errorf("%s: %d %s", c.name, code, raw)
		}
	}
}

// TestDeviceLabelLimit: a device label over its limit is refused.
func TestDeviceLabelLimit(t *testing.T) {
	e := newEnv(t)
	tok := e.login("anna").Token
	code, raw := e.call("POST", "/api/v1/devices", tok, wire.DeviceRequest{PublicKey: make([]byte, 32), Label: strings.Repeat("x", care.MaxLabelBytes+1)}, nil)
	if code != 400 || !strings.Contains(string(raw), "label") || !strings.Contains(string(raw), fmt.Sprint(care.MaxLabelBytes)) {
		t.Fatalf("%d %s", code, raw)
	}
}

// TestRecordCosignerOverLimit: the review's 3 MiB cosigner_id is rejected
// as invalid_input, and not stored.
func TestRecordCosignerOverLimit(t *testing.T) {
	e := newEnv(t)
	anna := e.phone("anna")
	rec := anna.note(anna.ownPatient(), "Sov godt.")
	rec.CosignerID = strings.Repeat("c", 3<<20)
	code, resp, raw := anna.sync(anna.sealRecord(rec))
	if code != 200 || len(resp.Results) != 1 || resp.Results[0].Status != "rejected" || resp.Results[0].Code != wire.CodeInvalidInput ||
		!strings.Contains(resp.Results[0].Message, "cosigner_id") {
		t.Fatalf("%d %.500s", code, raw)
	}
	var rr wire.RecordsResponse
	if code, raw := e.call("GET", "/api/v1/records", e.login("kari").Token, nil, &rr); code != 200 || len(raw) > 1<<20 {
		t.Fatalf("records list: %d, %d bytes", code, len(raw))
	}
	for _, r := range rr.Records {
		if r.ID == rec.ID {
			t.Fatal("the record was stored")
		}
	}
}

// TestRoutineVersionsHeldToUnits: a coordinator of another unit cannot
// read a routine's versions, as they cannot edit it.
func TestRoutineVersionsHeldToUnits(t *testing.T) {
	e := newEnv(t)
	nord, sor := e.nordSor(t)
	var rt care.Routine
	if code, raw := e.call("POST", "/api/v1/routines", e.login("admin").Token, care.Routine{Title: "Sør sin rutine", Scenario: care.ScenarioOther,
		Steps: []string{"Ring Sør"}, Units: []string{sor.ID}}, &rt); code != 200 {
		t.Fatalf("admin saves: %d %s", code, raw)
	}
	kari := e.coordinatorOf(t, nord.ID)
	put, _ := e.call("PUT", "/api/v1/routines/"+rt.ID, kari, care.Routine{Title: "Tatt", Scenario: care.ScenarioOther, Steps: []string{"x"}}, nil)
	get, raw := e.call("GET", "/api/v1/routines/"+rt.ID+"/versions", kari, nil, nil)
	if put != 403 || get != put || strings.Contains(string(raw), "Ring Sør") {
		t.Fatalf("versions for another unit's coordinator: %d %s (PUT %d)", get, raw, put)
	}
	if code, _ := e.call("GET", "/api/v1/routines/"+rt.ID+"/versions", e.coordinatorOf(t, sor.ID), nil, nil); code != 200 {
		t.Fatalf("Sør's coordinator: %d", code)
	}
	if code, _ := e.call("GET", "/api/v1/routines/nope/versions", kari, nil, nil); code != 404 {
		t.Fatalf("unknown routine: %d", code)
	}
}

// TestOutageTimes: at must lie within the last 7 days and not in the
// future; an outage started days ago can be ended.
func TestOutageTimes(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	now := time.Now().UTC()
	for _, at := range []time.Time{now.Add(-MaxOutageBackdate - time.Hour), now.Add(time.Hour), now.AddDate(-30, 0, 0)} {
		for _, action := range []string{"start", "end"} {
			if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: action, At: &at}, nil); code != 400 {
				t.Errorf("%s at %v: %d %s", action, at, code, raw)
			}
		}
	}
	start := now.Add(-6 * 24 * time.Hour)
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start", At: &start}, nil); code != 200 {
		t.Fatalf("start 6 days ago: %d %s", code, raw)
	}
	var st wire.OutagesResponse
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "end"}, &st); code != 200 || st.Current != nil {
		t.Fatalf("end: %d %s", code, raw)
	}
}

// TestBinderWithHugeStoredText: text stored before the limits (here a
// 1 MiB word in a person card, written past the import) still prints: the
// layout is linear, so the binder finishes.
func TestBinderWithHugeStoredText(t *testing.T) {
	e := newEnv(t)
	nord, _ := e.nordSor(t)
	ctx := t.Context()
	now := time.Now().In(e.loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, e.loc)
	vs, err := e.db.VisitsByUnit(ctx, nord.ID, day, day.AddDate(0, 0, 1))
	if err != nil || len(vs) == 0 {
		t.Fatalf("no visits today: %v", err)
	}
	p, err := e.db.Patient(ctx, vs[0].PatientID) // visited today: the binder has their person card
	if err != nil {
		t.Fatal(err)
	}
	p.AccessInfo = strings.Repeat("x", 1<<20)
	if err := e.db.ApplyPlan(ctx, store.Plan{Patients: []care.Patient{p}}); err != nil {
		t.Fatal(err)
	}
	code, raw := e.call("GET", "/api/v1/binder.pdf?unit="+nord.ID, e.login("kari").Token, nil, nil)
	if code != 200 || !strings.HasPrefix(string(raw), "%PDF") || len(raw) < 1<<20 {
		t.Fatalf("%d, %d bytes: %.300s", code, len(raw), raw)
	}
}
