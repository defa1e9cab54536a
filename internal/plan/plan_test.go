package plan

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/demo"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

func demoStore(t *testing.T) (*badger.DB, Directory) {
	t.Helper()
	ctx := context.Background()
	db, err := badger.Open(t.TempDir(), badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loc, _ := time.LoadLocation("Europe/Oslo")
	m := demo.Build(time.Now(), loc)
	if err := db.ApplyPlan(ctx, store.Plan{Units: m.Units}); err != nil {
		t.Fatal(err)
	}
	h := servertest.Hasher()
	for _, u := range m.Users {
		hash, _ := h.Hash("x")
		if err := db.PutAccount(ctx, store.Account{User: u, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := LoadDirectory(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return db, dir
}

func oslo() *time.Location { l, _ := time.LoadLocation("Europe/Oslo"); return l }

func TestSampleCSVImportsAndReimports(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	for round := 1; round <= 2; round++ {
		f, err := os.Open("testdata/plan.csv")
		if err != nil {
			t.Fatal(err)
		}
		var read int64
		pl, problems := ParseCSV(f, oslo(), func(n int64) { read = n })
		f.Close()
		if len(problems) > 0 {
			t.Fatalf("round %d: %v", round, problems)
		}
		if read < 500 {
			t.Fatalf("progress reported %d bytes", read)
		}
		rep, err := Apply(ctx, db, dir, pl)
		if err != nil || !rep.Stored || rep.Patients != 2 || rep.Visits != 2 || rep.Medications != 2 {
			t.Fatalf("round %d: %+v %v", round, rep, err)
		}
		dir, _ = LoadDirectory(ctx, db)
	}
	p, err := db.Patient(ctx, IDFor("patient", "EPJ-10001"))
	if err != nil || p.Name != "Åse Nordby" || p.Priority != 1 || len(p.Equipment) != 2 || !p.Equipment[0].PowerDependent ||
		!p.Equipment[0].LifeCritical || p.Relatives[0].Phone != "+47 900 00 101" || p.GP.Relation != "Fjordvik legesenter" || !p.LivesAlone {
		t.Fatalf("patient %+v %v", p, err)
	}
	nord := p.UnitID
	pts, _ := db.PatientsByUnit(ctx, nord)
	if len(pts) != 2 {
		t.Fatalf("after two imports the unit has %d patients, want 2", len(pts))
	}
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, oslo())
	visits, _ := db.VisitsByUnit(ctx, nord, day, day.AddDate(0, 0, 1))
	if len(visits) != 2 || visits[0].Start.In(oslo()).Format("15:04") != "07:45" {
		t.Fatalf("visits %+v", visits)
	}
	doses, _ := db.DosesByPatient(ctx, IDFor("patient", "EPJ-10002"), day, day.AddDate(0, 0, 1))
	if len(doses) != 1 || !doses[0].DoubleCheck || doses[0].VisitID != IDFor("visit", "SPIDER-20002") || doses[0].WindowMinutes != 30 {
		t.Fatalf("doses %+v", doses)
	}
}

func TestBadRowsAreReportedAndNothingIsStored(t *testing.T) {
	sample, err := os.ReadFile("testdata/plan.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(sample)), "\n")
	cases := []struct {
		name   string
		line   int // 1-based line to change
		from   string
		to     string
		column string
	}{
		{"unknown unit", 2, "Hjemmetjenesten Nord", "Hjemmetjenesten Vest", "unit"},
		{"unknown worker", 4, ",anna,", ",anne,", "worker"},
		{"coordinator as worker", 4, ",anna,", ",kari,", "worker"},
		{"worker of another unit", 4, ",anna,", ",per,", "worker"},
		{"bad time", 4, "2026-11-24 07:45", "tomorrow morning", "start"},
		{"bad number", 4, ",30,", ",half an hour,", "duration_minutes"},
		{"bad flag", 2, ",ja,ja,nei,", ",maybe,ja,nei,", "lives_alone"},
		{"bad equipment flag", 2, "power+critical", "power+urgent", "equipment"},
		{"patient missing", 4, "EPJ-10001", "EPJ-99999", "patient_source_id"},
		{"dose of another patient's visit", 7, "SPIDER-20002", "SPIDER-20001", "visit_source_id"},
		{"life-critical but priority 3", 2, ",1,Penicillin", ",3,Penicillin", "priority"},
		{"unknown kind", 3, "patient,EPJ-10002", "person,EPJ-10002", "kind"},
		{"duplicate source id", 3, "EPJ-10002", "EPJ-10001", "source_id"},
		{"dose without medication", 6, "Furosemid", "", "medication"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, dir := demoStore(t)
			changed := append([]string{}, lines...)
			if !strings.Contains(changed[c.line-1], c.from) {
				t.Fatalf("line %d lacks %q", c.line, c.from)
			}
			changed[c.line-1] = strings.Replace(changed[c.line-1], c.from, c.to, 1)
			pl, problems := ParseCSV(strings.NewReader(strings.Join(changed, "\n")), oslo(), nil)
			if len(problems) == 0 {
				rep, err := Apply(ctx, db, dir, pl)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Stored {
					t.Fatal("a bad plan was stored")
				}
				problems = rep.Problems
			}
			found := false
			for _, p := range problems {
				if p.Line == c.line && p.Column == c.column && p.Problem != "" {
					found = true
				}
			}
			if !found {
				t.Fatalf("problems %v, want one at line %d, column %s", problems, c.line, c.column)
			}
			units, _ := db.Units(ctx)
			for _, u := range units {
				if pts, _ := db.PatientsByUnit(ctx, u.ID); len(pts) != 0 {
					t.Fatalf("a failed import stored %d patients", len(pts))
				}
			}
		})
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	cases := map[string]string{
		"":                        "header",
		"source_id,name\n":        "kind",
		"kind,source_id,colour\n": "colour",
	}
	for in, col := range cases {
		_, problems := ParseCSV(strings.NewReader(in), oslo(), nil)
		if len(problems) == 0 || problems[0].Column != col || problems[0].Line != 1 {
			t.Errorf("%q: %v", in, problems)
		}
	}
}

func TestJSONPlan(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	body := `{"patients":[{"source_id":"EPJ-1","unit":"Hjemmetjenesten Nord","name":"Liv Berg","address":"Veien 1","access_info":"Ring på","priority":2}],
	"visits":[{"source_id":"V-1","patient_source_id":"EPJ-1","worker":"anna","start":"2026-11-24T08:00:00+01:00","duration_minutes":15,"tasks":["Tilsyn"]},
	          {"source_id":"V-2","patient_source_id":"EPJ-1","worker":"anna","start":"2026-11-24T12:00:00+01:00","duration_minutes":0}],
	"medications":[],"routines":[{"id":"R-1","title":"Strømbrudd","scenario":"power_loss","steps":["Sjekk strømstatus"],"revised":"2026-11-01"}]}`
	pl, problems := ParseJSON(strings.NewReader(body))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	rep, err := Apply(ctx, db, dir, pl)
	if err != nil || rep.Stored || len(rep.Problems) != 1 || rep.Problems[0].Column != "visits[1].duration_minutes" {
		t.Fatalf("%+v %v", rep, err)
	}
	fixed := strings.Replace(body, `"duration_minutes":0`, `"duration_minutes":10`, 1)
	pl, _ = ParseJSON(strings.NewReader(fixed))
	if rep, err := Apply(ctx, db, dir, pl); err != nil || !rep.Stored || rep.Routines != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	for _, bad := range []string{`{"patients":[{"name":1}]}`, `{"patient":[]}`, `{`} {
		if _, problems := ParseJSON(strings.NewReader(bad)); len(problems) == 0 {
			t.Errorf("%s: no problem", bad)
		}
	}
}

// brokenStore fails every read, as a damaged store would.
type brokenStore struct{ nothingStored }

func (brokenStore) Patient(context.Context, string) (care.Patient, error) {
	return care.Patient{}, errors.New("disk on fire")
}

// TestScopedImportFailsClosed: a scoped import whose overwrites cannot be
// checked is not stored, rather than taken as overwriting nothing.
func TestScopedImportFailsClosed(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	dir.Scope = []string{dir.Units[0].ID}
	dir.Stored = brokenStore{}
	pl := &Plan{Patients: []Patient{{SourceID: "EPJ-1", Unit: dir.Units[0].ID, Name: "Liv Berg", Address: "Veien 1"}}}
	if rep, err := Apply(ctx, db, dir, pl); err == nil || rep.Stored {
		t.Fatalf("%+v %v", rep, err)
	}
	if _, err := db.Patient(ctx, IDFor("patient", "EPJ-1")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stored: %v", err)
	}
}

// staleStore answers an import's checks as the store was before another
// import moved a patient or wrote a routine: hidden ids read as missing,
// and patients read as being in unit was.
type staleStore struct {
	db   *badger.DB
	hide map[string]bool
	was  string
}

func (s staleStore) Patient(ctx context.Context, id string) (care.Patient, error) {
	if s.hide[id] {
		return care.Patient{}, store.ErrNotFound
	}
	p, err := s.db.Patient(ctx, id)
	if err == nil && s.was != "" {
		p.UnitID = s.was
	}
	return p, err
}

func (s staleStore) Visit(ctx context.Context, id string) (care.Visit, error) {
	return s.db.Visit(ctx, id)
}

func (s staleStore) Dose(ctx context.Context, id string) (care.ScheduledDose, error) {
	return s.db.Dose(ctx, id)
}

func (s staleStore) Routine(ctx context.Context, id string) (care.Routine, error) {
	if s.hide[id] {
		return care.Routine{}, store.ErrNotFound
	}
	return s.db.Routine(ctx, id)
}

// TestScopeHoldsAgainstAConcurrentImport: a coordinator's import checks
// what it overwrites, then stores; another import can move a patient or
// write a routine for another unit in between. The store checks the scope
// again inside its transaction, so the plan is refused and nothing of it
// is stored, while the same plan within the unit is stored.
func TestScopeHoldsAgainstAConcurrentImport(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	if len(dir.Units) < 2 {
		t.Fatal("the demo needs two units")
	}
	own, other := dir.Units[0].ID, dir.Units[1].ID
	worker := ""
	for _, a := range dir.Accounts {
		if a.Role.WorksShifts() && len(a.Units) == 1 && a.Units[0] == own {
			worker = a.Username
			break
		}
	}
	if worker == "" {
		t.Fatal("no worker of the first unit in the demo")
	}
	// What the other import left: a patient now in the other unit and a
	// routine of the other unit.
	moved := care.Patient{ID: IDFor("patient", "EPJ-9"), UnitID: other, Name: "Gunvor Lie", Address: "Bakken 2",
		Priority: care.PriorityNormal, SourceID: "EPJ-9"}
	theirs := care.Routine{ID: IDFor("routine", "R-9"), Title: "Telefonbrudd", Scenario: "telecom_loss",
		Steps: []string{"Bruk nødnett"}, Units: []string{other}}
	if err := db.ApplyPlan(ctx, store.Plan{Patients: []care.Patient{moved}, Routines: []care.Routine{theirs}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	newPatient := Patient{SourceID: "EPJ-10", Unit: own, Name: "Arne Dahl", Address: "Veien 3", Priority: care.PriorityNormal}
	cases := []struct {
		name   string
		plan   Plan
		stale  staleStore
		both   bool // the importer has both units
		stored bool
	}{
		{"overwrites a patient moved away", Plan{Patients: []Patient{newPatient,
			{SourceID: "EPJ-9", Unit: own, Name: "Gunvor Lie", Address: "Bakken 2", Priority: care.PriorityNormal}}},
			staleStore{db: db, hide: map[string]bool{moved.ID: true}}, false, false},
		{"a visit for a patient moved away", Plan{Patients: []Patient{newPatient}, Visits: []Visit{
			{SourceID: "V-9", PatientSourceID: "EPJ-9", Worker: worker, Start: start, DurationMinutes: 15}}},
			staleStore{db: db, was: own}, false, false},
		{"a dose for a patient moved away", Plan{Patients: []Patient{newPatient}, Medications: []Dose{
			{SourceID: "D-9", PatientSourceID: "EPJ-9", Medication: "Paracet", Dose: "1 g", Route: "oral", Due: start}}},
			staleStore{db: db, was: own}, false, false},
		{"a visit for a patient moved between the importer's units", Plan{Patients: []Patient{newPatient}, Visits: []Visit{
			{SourceID: "V-9", PatientSourceID: "EPJ-9", Worker: worker, Start: start, DurationMinutes: 15}}},
			staleStore{db: db, was: own}, true, false},
		{"overwrites another unit's routine", Plan{Patients: []Patient{newPatient}, Routines: []care.Routine{
			{ID: "R-9", Title: "Telefonbrudd", Scenario: "telecom_loss", Steps: []string{"Ring 113"}, Units: []string{own}}}},
			staleStore{db: db, hide: map[string]bool{theirs.ID: true}}, false, false},
		{"within the unit", Plan{Patients: []Patient{newPatient}, Visits: []Visit{
			{SourceID: "V-10", PatientSourceID: "EPJ-10", Worker: worker, Start: start, DurationMinutes: 15}}},
			staleStore{db: db}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := dir
			d.Scope = []string{own}
			if c.both {
				d.Scope = []string{own, other}
			}
			d.Stored = c.stale
			pl := c.plan
			rep, err := Apply(ctx, db, d, &pl)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Stored != c.stored {
				t.Fatalf("stored=%v, want %v (%+v)", rep.Stored, c.stored, rep.Problems)
			}
			_, err = db.Patient(ctx, IDFor("patient", "EPJ-10"))
			if c.stored != (err == nil) {
				t.Fatalf("the plan's new patient: %v, want stored=%v", err, c.stored)
			}
			if c.stored {
				return
			}
			if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Problem, "another import") {
				t.Fatalf("problems %+v", rep.Problems)
			}
			if p, err := db.Patient(ctx, moved.ID); err != nil || p.UnitID != other {
				t.Fatalf("the moved patient: %+v %v", p, err)
			}
			if r, err := db.Routine(ctx, theirs.ID); err != nil || len(r.Units) != 1 || r.Units[0] != other || r.Steps[0] != "Bruk nødnett" {
				t.Fatalf("the other unit's routine: %+v %v", r, err)
			}
		})
	}
}

// TestWorkerNamesAreNormalised: a plan names its workers the way logins
// do, so "Anna" and fullwidth "ａｎｎａ" are the account anna, as at login.
func TestWorkerNamesAreNormalised(t *testing.T) {
	ctx := context.Background()
	for _, worker := range []string{"anna", "Anna", "ANNA", "ａｎｎａ"} {
		t.Run(worker, func(t *testing.T) {
			db, dir := demoStore(t)
			body := `{"patients":[{"source_id":"EPJ-1","unit":"Hjemmetjenesten Nord","name":"Liv Berg","address":"Veien 1","access_info":"Ring på","priority":2}],
	"visits":[{"source_id":"V-1","patient_source_id":"EPJ-1","worker":"` + worker + `","start":"2026-11-24T08:00:00+01:00","duration_minutes":15,"tasks":["Tilsyn"]}]}`
			pl, problems := ParseJSON(strings.NewReader(body))
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			rep, err := Apply(ctx, db, dir, pl)
			if err != nil || !rep.Stored {
				t.Fatalf("worker %q: %+v %v", worker, rep, err)
			}
		})
	}
}

// TestProblemsCarryCatalogueKeys: every problem of a plan's rows names its
// catalogue key and arguments beside the English text, so that the office
// shows it in the coordinator's language; the rules the import shares with
// the office editor carry care's keys (field first).
func TestProblemsCarryCatalogueKeys(t *testing.T) {
	ctx := context.Background()
	db, dir := demoStore(t)
	body := `{"patients":[{"source_id":"EPJ-1","unit":"Hjemmetjenesten Nord","name":" ","address":"Veien 1"}],
	"visits":[{"source_id":"V-1","patient_source_id":"EPJ-1","worker":"anne","start":"2026-11-24T08:00:00+01:00","duration_minutes":2000}],
	"routines":[{"id":"R-1","title":"Strømbrudd","scenario":"power_loss","steps":[]}]}`
	pl, problems := ParseJSON(strings.NewReader(body))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	rep, err := Apply(ctx, db, dir, pl)
	if err != nil || rep.Stored {
		t.Fatalf("%+v %v", rep, err)
	}
	want := map[string]string{
		"patients[0].name":           care.KeyRequired + " name",
		"visits[0].worker":           care.KeyUnknown + " worker anne",
		"visits[0].duration_minutes": care.KeyRange + " duration_minutes 1 1440",
		"routines[0].steps":          care.KeyCount + " steps 1 50",
	}
	if len(rep.Problems) != len(want) {
		t.Fatalf("problems %+v", rep.Problems)
	}
	for _, p := range rep.Problems {
		if got := strings.Join(append([]string{p.Key}, p.Args...), " "); got != want[p.Column] || p.Problem == "" {
			t.Errorf("%s: key and args %q, want %q (%s)", p.Column, got, want[p.Column], p.Problem)
		}
	}
}
