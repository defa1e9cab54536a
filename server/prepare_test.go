package server

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestAnnouncementsAndOutage(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	var a care.Announcement
	if code, raw := e.call("POST", "/api/v1/announcements", kari, wire.AnnouncementRequest{Level: "important", Text: "EPJ er nede. Skriv i Beredskap."}, &a); code != 200 || len(a.Units) != 2 || a.Author != "Kari Lunde" {
		t.Fatalf("%d %s", code, raw)
	}
	for _, bad := range []wire.AnnouncementRequest{{Level: "info"}, {Level: "urgent", Text: "x"}, {Level: "info", Text: "x", Units: []string{"elsewhere"}}} {
		if code, _ := e.call("POST", "/api/v1/announcements", kari, bad, nil); code == 200 {
			t.Errorf("accepted %+v", bad)
		}
	}
	anna := e.phone("anna")
	found := false
	for _, b := range anna.bundle.Announcements {
		if b.ID == a.ID {
			found = true
		}
	}
	if !found {
		t.Fatal("the announcement is not in the phone's bundle")
	}

	start := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	var st wire.OutagesResponse
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start", Note: "EPJ nede", At: &start}, &st); code != 200 || st.Current == nil || !st.Current.Start.Equal(start) || st.LastAnnouncement == nil {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start"}, nil); code != 409 {
		t.Fatalf("second start: %d", code)
	}
	var fr wire.FindingsResponse
	e.call("GET", "/api/v1/findings", kari, nil, &fr)
	if !fr.Since.Equal(start) {
		t.Fatalf("findings window starts %v, want the outage's %v", fr.Since, start)
	}
	var ended wire.OutagesResponse
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "end"}, &ended); code != 200 || ended.Current != nil || ended.Outages[0].End == nil {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "end"}, nil); code != 409 {
		t.Fatalf("second end: %d", code)
	}
}

func TestPriorityList(t *testing.T) {
	e := newEnv(t)
	var pr wire.PriorityResponse
	if code, raw := e.call("GET", "/api/v1/priority", e.login("kari").Token, nil, &pr); code != 200 || len(pr.Patients) != 40 {
		t.Fatalf("%d %s", code, raw)
	}
	for i := 1; i < len(pr.Patients); i++ {
		if pr.Patients[i].Patient.Priority < pr.Patients[i-1].Patient.Priority {
			t.Fatalf("priority %d after %d", pr.Patients[i].Patient.Priority, pr.Patients[i-1].Patient.Priority)
		}
	}
	if pr.Patients[0].Patient.Priority != care.PriorityVital || pr.Patients[0].FirstVisit == nil || pr.Patients[0].Worker == "" {
		t.Fatalf("first entry %+v", pr.Patients[0])
	}
	unit := pr.Patients[0].Patient.UnitID
	e.call("GET", "/api/v1/priority?unit="+unit, e.login("admin").Token, nil, &pr)
	if len(pr.Patients) != 20 {
		t.Fatalf("one unit: %d", len(pr.Patients))
	}
}

func TestBinderPDF(t *testing.T) {
	e := newEnv(t)
	kari, admin := e.login("kari"), e.login("admin")
	var pr wire.PriorityResponse
	e.call("GET", "/api/v1/priority", kari.Token, nil, &pr)
	units := map[string]bool{}
	for _, p := range pr.Patients {
		units[p.Patient.UnitID] = true
	}
	var dir wire.Directory
	if code, raw := e.call("GET", "/api/v1/directory", admin.Token, nil, &dir); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var mine, other string
	for _, u := range dir.Units {
		if units[u.ID] && mine == "" {
			mine = u.ID
		}
		if !units[u.ID] {
			other = u.ID
		}
	}
	today := e.now.In(e.loc).Format(time.DateOnly)
	cases := []struct {
		name, token, query string
		code               int
		errCode            wire.Code
	}{
		{"own unit", kari.Token, "unit=" + mine + "&date=" + today + "&lang=sv", 200, ""},
		{"admin, any unit, today by default", admin.Token, "unit=" + mine, 200, ""},
		{"admin without a unit", admin.Token, "", 400, wire.CodeInvalidInput},
		{"bad date", kari.Token, "unit=" + mine + "&date=16.03.2026", 400, wire.CodeInvalidInput},
		{"bad language", kari.Token, "unit=" + mine + "&lang=de", 400, wire.CodeInvalidInput},
		{"unknown unit", admin.Token, "unit=nowhere", 404, wire.CodeNotFound},
		{"worker", e.login("anna").Token, "unit=" + mine, 403, wire.CodeForbidden},
		{"anonymous", "", "unit=" + mine, 401, wire.CodeUnauthorized},
	}
	if other != "" {
		cases = append(cases, struct {
			name, token, query string
			code               int
			errCode            wire.Code
		}{"another coordinator's unit", kari.Token, "unit=" + other, 403, wire.CodeForbidden})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := e.db.AuditHead(context.Background())
			code, raw := e.call("GET", "/api/v1/binder.pdf?"+c.query, c.token, nil, nil)
			if code != c.code {
				t.Fatalf("status %d, want %d: %.200s", code, c.code, raw)
			}
			after, _ := e.db.AuditHead(context.Background())
			if c.code != 200 {
				if got := errorCode(t, raw); got != c.errCode {
					t.Fatalf("code %q, want %q", got, c.errCode)
				}
				if after != before {
					t.Fatalf("a refused request wrote %d audit entries", after-before)
				}
				return
			}
			if !bytes.HasPrefix(raw, []byte("%PDF-")) || len(raw) < 10_000 {
				t.Fatalf("not a binder: %d bytes %.20q", len(raw), raw)
			}
			entries, err := e.db.AuditLog(context.Background(), before+1, 10)
			if err != nil || len(entries) != 1 || entries[0].Action != store.AuditExport || !strings.Contains(entries[0].Detail, "format=binder") {
				t.Fatalf("audit after print: %+v %v", entries, err)
			}
		})
	}
}
