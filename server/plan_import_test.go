package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plan"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

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

func (e *testEnv) raw(method, path, token, ctype string, body []byte) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, []byte(b.String())
}

func TestPlanImportOverHTTP(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	sample, err := os.ReadFile("../internal/plan/testdata/plan.csv")
	if err != nil {
		t.Fatal(err)
	}
	code, raw := e.raw("POST", "/api/v1/plan", kari, "text/csv", sample)
	var rep wire.PlanReport
	if code != 200 || json.Unmarshal(raw, &rep) != nil || !rep.Stored || rep.Patients != 2 || rep.Visits != 2 {
		t.Fatalf("%d %s", code, raw)
	}
	if _, err := e.db.Patient(t.Context(), plan.IDFor("patient", "EPJ-10002")); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(sample), ",anna,", ",anne,", 1)
	code, raw = e.raw("POST", "/api/v1/plan", kari, "text/csv", []byte(bad))
	var eb wire.PlanErrorBody
	if code != 400 || json.Unmarshal(raw, &eb) != nil || eb.Error.Code != wire.CodeInvalidInput || len(eb.Problems) != 1 || eb.Problems[0].Line != 4 || eb.Problems[0].Column != "worker" {
		t.Fatalf("%d %s", code, raw)
	}
	code, raw = e.raw("POST", "/api/v1/plan", kari, "application/json", []byte(`{"patients":[{"source_id":"X","unit":"nowhere","name":"A","address":"B"}]}`))
	if code != 400 || !strings.Contains(string(raw), `"patients[0].unit"`) {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _ := e.raw("POST", "/api/v1/plan", e.login("anna").Token, "text/csv", sample); code != 403 {
		t.Fatalf("worker imports a plan: %d", code)
	}
}
