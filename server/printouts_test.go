package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"beredskap/internal/binder"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// pdfPages reads a PDF back as the text of each page, whitespace
// collapsed.
func pdfPages(t *testing.T, raw []byte) []string {
	t.Helper()
	rd, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a PDF: %v (%.100q)", err, raw)
	}
	var pages []string
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		pages = append(pages, strings.Join(strings.Fields(s), " "))
	}
	return pages
}

// myUnits returns one of kari's units and one that is not hers: a unit
// added with a patient on a respirator, since kari coordinates every
// demo unit.
func myUnits(t *testing.T, e *testEnv) (mine, other string) {
	t.Helper()
	u := care.Unit{ID: care.IDFor("unit", "TEST-OTHER"), Name: "Hjemmetjenesten Vest"}
	p := care.Patient{ID: care.IDFor("patient", "TEST-OTHER-1"), UnitID: u.ID, Name: "Vestlig Respiratorbruker", Address: "Vestveien 1",
		Priority: care.PriorityVital, Equipment: []care.Equipment{{Name: "Respirator", PowerDependent: true, LifeCritical: true}},
		Relatives: []care.Contact{}, Allergies: []string{}, Warnings: []string{}}
	if err := e.db.ApplyPlan(context.Background(), store.Plan{Units: []care.Unit{u}, Patients: []care.Patient{p}}); err != nil {
		t.Fatal(err)
	}
	var pr wire.PriorityResponse
	e.call("GET", "/api/v1/priority", e.login("kari").Token, nil, &pr)
	units := map[string]bool{}
	for _, p := range pr.Patients {
		units[p.Patient.UnitID] = true
	}
	all, err := e.db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if units[u.ID] && mine == "" {
			mine = u.ID
		}
		if !units[u.ID] {
			other = u.ID
		}
	}
	if mine == "" || other == "" {
		t.Fatalf("the demo lacks a unit of kari's (%q) or another (%q)", mine, other)
	}
	return mine, other
}

func errorKey(t *testing.T, raw []byte) string {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		t.Fatalf("not an error envelope: %s", raw)
	}
	return eb.Error.Key
}

// TestBinderRangeHTTP: the binder for a range of days, its bad ranges
// (400 with a key, nothing audited) and another unit (403).
func TestBinderRangeHTTP(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari")
	mine, other := myUnits(t, e)
	day := func(n int) string { return e.now.In(e.loc).AddDate(0, 0, n).Format(time.DateOnly) }
	cases := []struct {
		name, query string
		code        int
		key         string
	}{
		{"reversed", "unit=" + mine + "&from=" + day(1) + "&to=" + day(0), 400, binder.KeyBeforeFrom},
		{"too long", "unit=" + mine + "&from=" + day(0) + "&to=" + day(binder.MaxDays), 400, binder.KeyMaxDays},
		{"date and range", "unit=" + mine + "&date=" + day(0) + "&from=" + day(0), 400, binder.KeyDateOrFrom},
		{"bad to", "unit=" + mine + "&from=" + day(0) + "&to=tomorrow", 400, care.KeyDate},
		{"another unit", "unit=" + other + "&from=" + day(0) + "&to=" + day(1), 403, "error.unit_not_yours"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := e.db.AuditHead(context.Background())
			code, raw := e.call("GET", "/api/v1/binder.pdf?"+c.query, kari.Token, nil, nil)
			if code != c.code || errorKey(t, raw) != c.key {
				t.Fatalf("%d %s, want %d with key %s", code, raw, c.code, c.key)
			}
			if after, _ := e.db.AuditHead(context.Background()); after != before {
				t.Fatal("a refused binder was audited")
			}
		})
	}

	// A visit on the third day, with a task no other visit has, is on a
	// page of the third day only.
	ctx := context.Background()
	pts, err := e.db.PatientsByUnit(ctx, mine)
	if err != nil || len(pts) == 0 {
		t.Fatal(pts, err)
	}
	third := e.now.In(e.loc).AddDate(0, 0, 2)
	start := time.Date(third.Year(), third.Month(), third.Day(), 23, 30, 0, 0, e.loc)
	v := care.Visit{ID: care.IDFor("visit", "TEST-RANGE"), PatientID: pts[0].ID, UnitID: mine, Start: start, DurationMinutes: 20, Tasks: []string{"Sjekk oksygen dag tre"}}
	if err := e.db.ApplyPlan(ctx, store.Plan{Visits: []care.Visit{v}}); err != nil {
		t.Fatal(err)
	}
	before, _ := e.db.AuditHead(ctx)
	code, raw := e.call("GET", "/api/v1/binder.pdf?unit="+mine+"&from="+day(0)+"&to="+day(2), kari.Token, nil, nil)
	if code != 200 {
		t.Fatalf("%d %.300s", code, raw)
	}
	pages := pdfPages(t, raw)
	found := 0
	for i, p := range pages {
		if !strings.Contains(p, "av 3") {
			t.Fatalf("page %d does not say which of the three days it is: %.200s", i+1, p)
		}
		if strings.Contains(p, "Sjekk oksygen dag tre") {
			found++
			if !strings.Contains(p, "Dag 3 av 3") {
				t.Errorf("the third day's visit is on page %d: %.200s", i+1, p)
			}
		}
	}
	if found == 0 {
		t.Error("the third day's visit is not printed")
	}
	entries, err := e.db.AuditLog(ctx, before+1, 10)
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "days=3") {
		t.Fatalf("audit: %+v %v", entries, err)
	}
}

// TestEquipmentPDF: the weekly equipment list, for a unit or all of the
// caller's, and its refusals.
func TestEquipmentPDF(t *testing.T) {
	e := newEnv(t)
	kari, admin := e.login("kari"), e.login("admin")
	mine, other := myUnits(t, e)
	cases := []struct {
		name, token, query string
		code               int
		key                string
	}{
		{"own unit", kari.Token, "unit=" + mine + "&week=2026-W12", 200, ""},
		{"all of an admin's", admin.Token, "lang=en", 200, ""},
		{"bad week", kari.Token, "unit=" + mine + "&week=2026-12", 400, binder.KeyWeek},
		{"week 54", kari.Token, "week=2026-W54", 400, binder.KeyWeek},
		{"bad language", kari.Token, "lang=de", 400, care.KeyOneOf},
		{"another unit", kari.Token, "unit=" + other, 403, "error.unit_not_yours"},
		{"unknown unit", admin.Token, "unit=nowhere", 404, ""},
		{"worker", e.login("anna").Token, "", 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := e.db.AuditHead(context.Background())
			code, raw := e.call("GET", "/api/v1/equipment.pdf?"+c.query, c.token, nil, nil)
			if code != c.code {
				t.Fatalf("%d %.300s, want %d", code, raw, c.code)
			}
			after, _ := e.db.AuditHead(context.Background())
			if code != 200 {
				if c.key != "" && errorKey(t, raw) != c.key {
					t.Fatalf("key %q, want %q", errorKey(t, raw), c.key)
				}
				if after != before {
					t.Fatal("a refused list was audited")
				}
				return
			}
			if after != before+1 {
				t.Fatalf("%d audit entries, want 1", after-before)
			}
			text := strings.Join(pdfPages(t, raw), " ")
			// Exactly the unit's patients with such equipment.
			all, _ := e.db.Units(context.Background())
			for _, u := range all {
				pts, _ := e.db.PatientsByUnit(context.Background(), u.ID)
				for _, p := range pts {
					want := binder.OnEquipmentList(p) && (c.token == admin.Token || u.ID == mine)
					if strings.Contains(text, p.Name) != want {
						t.Errorf("%s on the list: %v, want %v", p.Name, !want, want)
					}
				}
			}
		})
	}
}

// TestPriorityRange: the priority list for a range gives each day's first
// visit, and refuses a bad range as the binder does.
func TestPriorityRange(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari")
	mine, _ := myUnits(t, e)
	ctx := context.Background()
	pts, err := e.db.PatientsByUnit(ctx, mine)
	if err != nil || len(pts) == 0 {
		t.Fatal(pts, err)
	}
	day := func(n int) string { return e.now.In(e.loc).AddDate(0, 0, n).Format(time.DateOnly) }
	third := e.now.In(e.loc).AddDate(0, 0, 2)
	late := time.Date(third.Year(), third.Month(), third.Day(), 23, 30, 0, 0, e.loc)
	v := care.Visit{ID: care.IDFor("visit", "TEST-PRIO"), PatientID: pts[0].ID, UnitID: mine, Start: late, DurationMinutes: 20, Tasks: []string{"Tilsyn"}}
	if err := e.db.ApplyPlan(ctx, store.Plan{Visits: []care.Visit{v}}); err != nil {
		t.Fatal(err)
	}
	var pr wire.PriorityResponse
	if code, raw := e.call("GET", "/api/v1/priority?unit="+mine+"&from="+day(0)+"&to="+day(2), kari.Token, nil, &pr); code != 200 {
		t.Fatalf("%d %s", code, raw)
	}
	var got *wire.PriorityEntry
	for i, p := range pr.Patients {
		if len(p.Days) != 3 || p.Days[0].Date != day(0) || p.Days[2].Date != day(2) {
			t.Fatalf("%s: days %+v", p.Patient.Name, p.Days)
		}
		if (p.FirstVisit == nil) != (p.Days[0].FirstVisit == nil) {
			t.Fatalf("%s: the first day differs from first_visit", p.Patient.Name)
		}
		if p.Patient.ID == pts[0].ID {
			got = &pr.Patients[i]
		}
	}
	if got == nil || got.Days[2].FirstVisit == nil {
		t.Fatalf("the third day's visit is missing: %+v", got)
	}
	// Without a range the answer is as before: no days.
	var today wire.PriorityResponse
	if code, raw := e.call("GET", "/api/v1/priority?unit="+mine, kari.Token, nil, &today); code != 200 || len(today.Patients) == 0 || bytes.Contains(raw, []byte(`"days"`)) {
		t.Fatalf("%d %.300s", code, raw)
	}
	for _, q := range []string{"from=" + day(1) + "&to=" + day(0), "from=" + day(0) + "&to=" + day(binder.MaxDays), "date=today"} {
		code, raw := e.call("GET", "/api/v1/priority?unit="+mine+"&"+q, kari.Token, nil, nil)
		if code != 400 || errorCode(t, raw) != wire.CodeInvalidInput || errorKey(t, raw) == "" {
			t.Errorf("%s: %d %s", q, code, raw)
		}
	}
}
