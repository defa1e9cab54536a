package server

import (
	"context"
	"slices"
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestRoutineVersions(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	rt := care.Routine{Title: "Vannlekkasje på basen", Scenario: care.ScenarioOther, Steps: []string{"Steng hovedkranen", " ", "Ring vaktmester"},
		Contacts: []care.Contact{{Name: "Vaktmester", Phone: "+47 900 00 999"}}}
	var saved care.Routine
	if code, raw := e.call("POST", "/api/v1/routines", kari, rt, &saved); code != 200 || saved.Version != 1 || len(saved.Steps) != 2 || saved.Revised == "" {
		t.Fatalf("%d %s", code, raw)
	}
	saved.Steps = append(saved.Steps, "Flytt medisiner til tørt sted")
	var v2 care.Routine
	if code, raw := e.call("PUT", "/api/v1/routines/"+saved.ID, kari, saved, &v2); code != 200 || v2.Version != 2 {
		t.Fatalf("%d %s", code, raw)
	}
	var vs wire.RoutinesResponse
	e.call("GET", "/api/v1/routines/"+saved.ID+"/versions", kari, nil, &vs)
	if len(vs.Routines) != 2 || len(vs.Routines[0].Steps) != 2 || len(vs.Routines[1].Steps) != 3 {
		t.Fatalf("versions %+v", vs)
	}
	cases := []struct {
		name string
		r    care.Routine
	}{
		{"no title", care.Routine{Scenario: care.ScenarioOther, Steps: []string{"x"}}},
		{"unknown scenario", care.Routine{Title: "x", Scenario: "flood", Steps: []string{"x"}}},
		{"no steps", care.Routine{Title: "x", Scenario: care.ScenarioOther}},
		{"phone with letters", care.Routine{Title: "x", Scenario: care.ScenarioOther, Steps: []string{"x"}, Contacts: []care.Contact{{Name: "A", Phone: "call me"}}}},
	}
	for _, c := range cases {
		if code, raw := e.call("POST", "/api/v1/routines", kari, c.r, nil); code != 400 {
			t.Errorf("%s: %d %s", c.name, code, raw)
		}
	}
	// A coordinator edits a routine shared with another unit, choosing
	// only her own: it stays with the other unit. A routine for every unit
	// stays for every unit.
	admin := e.login("admin").Token
	if len(saved.Units) != 2 {
		t.Fatalf("kari's routine is for %v, want both units", saved.Units)
	}
	shared := &care.Routine{Title: "Heis ute av drift", Scenario: care.ScenarioOther, Steps: []string{"Bruk trappen"}, Units: saved.Units}
	if code, raw := e.call("POST", "/api/v1/routines", admin, shared, shared); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	// Make kari a coordinator of one of them only.
	acct, _ := e.db.AccountByUsername(context.Background(), "kari")
	acct.Units = shared.Units[:1]
	if err := e.db.PutAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	kari = e.login("kari").Token
	mine := acct.Units
	others := slices.DeleteFunc(slices.Clone(shared.Units), func(u string) bool { return slices.Contains(mine, u) })
	shared.Units = mine
	var narrowed care.Routine
	if code, raw := e.call("PUT", "/api/v1/routines/"+shared.ID, kari, shared, &narrowed); code != 200 ||
		len(others) == 0 || !slices.Contains(narrowed.Units, others[0]) {
		t.Fatalf("kari narrowed a shared routine: %d %s (other units %v)", code, raw, others)
	}
	var global care.Routine
	e.call("POST", "/api/v1/routines", admin, care.Routine{Title: "Brann", Scenario: care.ScenarioOther, Steps: []string{"Ring 110"}}, &global)
	global.Units = mine
	var kept care.Routine
	if code, raw := e.call("PUT", "/api/v1/routines/"+global.ID, kari, global, &kept); code != 200 || len(kept.Units) != 0 {
		t.Fatalf("kari narrowed a routine for every unit: %d %s", code, raw)
	}

	// A new version reaches the phones in the bundle.
	anna := e.phone("anna")
	found := false
	for _, r := range anna.bundle.Routines {
		if r.ID == saved.ID && r.Version == 2 {
			found = true
		}
	}
	if !found {
		t.Fatal("the edited routine is not in the bundle")
	}
}
