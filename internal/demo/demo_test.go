package demo

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Oslo must load on machines without zoneinfo

	"beredskap/internal/care"
)

func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// days covers an ordinary day and both daylight-saving switches, where a
// naive "midnight + hours" would land an hour off.
func days(t *testing.T) []time.Time {
	loc := oslo(t)
	return []time.Time{
		time.Date(2026, 9, 14, 12, 0, 0, 0, loc),
		time.Date(2026, 3, 29, 0, 30, 0, 0, loc),
		time.Date(2026, 10, 25, 23, 59, 0, 0, loc),
	}
}

func byUsername(m Municipality) map[string]care.User {
	out := map[string]care.User{}
	for _, u := range m.Users {
		out[u.Username] = u
	}
	return out
}

func TestDeterministic(t *testing.T) {
	loc := oslo(t)
	for _, day := range days(t) {
		// Another instant of the same day, in another zone, is the same day.
		y, mo, d := day.Date()
		a, b := Build(day, loc), Build(time.Date(y, mo, d, 6, 0, 0, 0, loc).In(time.UTC), loc)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: two builds differ", day)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s: JSON differs", day)
		}
	}
}

func TestIDsStableAcrossDays(t *testing.T) {
	loc := oslo(t)
	a := Build(time.Date(2026, 9, 14, 9, 0, 0, 0, loc), loc)
	b := Build(time.Date(2026, 9, 15, 9, 0, 0, 0, loc), loc)
	for _, c := range []struct {
		name string
		a, b []string
		same bool
	}{
		{"units", ids(a.Units, func(u care.Unit) string { return u.ID }), ids(b.Units, func(u care.Unit) string { return u.ID }), true},
		{"users", ids(a.Users, func(u care.User) string { return u.ID }), ids(b.Users, func(u care.User) string { return u.ID }), true},
		{"patients", ids(a.Patients, func(p care.Patient) string { return p.ID }), ids(b.Patients, func(p care.Patient) string { return p.ID }), true},
		{"routines", ids(a.Routines, func(r care.Routine) string { return r.ID }), ids(b.Routines, func(r care.Routine) string { return r.ID }), true},
		{"visits", ids(a.Visits, func(v care.Visit) string { return v.ID }), ids(b.Visits, func(v care.Visit) string { return v.ID }), false},
		{"doses", ids(a.Doses, func(d care.ScheduledDose) string { return d.ID }), ids(b.Doses, func(d care.ScheduledDose) string { return d.ID }), false},
	} {
		if got := slices.Equal(c.a, c.b); got != c.same {
			t.Errorf("%s: ids equal across days = %v, want %v", c.name, got, c.same)
		}
		if !c.same {
			for _, x := range c.a {
				if slices.Contains(c.b, x) {
					t.Errorf("%s: id %s reused on another day", c.name, x)
				}
			}
		}
	}
}

func ids[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func TestIDsUniqueUUIDs(t *testing.T) {
	m := Build(days(t)[0], oslo(t))
	var all []string
	all = append(all, ids(m.Units, func(u care.Unit) string { return u.ID })...)
	all = append(all, ids(m.Users, func(u care.User) string { return u.ID })...)
	all = append(all, ids(m.Patients, func(p care.Patient) string { return p.ID })...)
	all = append(all, ids(m.Visits, func(v care.Visit) string { return v.ID })...)
	all = append(all, ids(m.Doses, func(d care.ScheduledDose) string { return d.ID })...)
	all = append(all, ids(m.Routines, func(r care.Routine) string { return r.ID })...)
	all = append(all, ids(m.Announcements, func(a care.Announcement) string { return a.ID })...)
	seen := map[string]bool{}
	for _, s := range all {
		if !care.IsUUID(s) {
			t.Errorf("id %q is not a UUID", s)
		}
		if seen[s] {
			t.Errorf("id %s used twice", s)
		}
		seen[s] = true
	}
}

func TestUsers(t *testing.T) {
	m := Build(days(t)[0], oslo(t))
	units := map[string]bool{}
	for _, u := range m.Units {
		units[u.ID] = true
	}
	if len(m.Units) != 2 {
		t.Fatalf("got %d units, want 2", len(m.Units))
	}
	for _, u := range m.Users {
		if !u.Role.Valid() {
			t.Errorf("%s: invalid role %q", u.Username, u.Role)
		}
		if len(u.Units) == 0 {
			t.Errorf("%s: no units", u.Username)
		}
		for _, id := range u.Units {
			if !units[id] {
				t.Errorf("%s: unknown unit %s", u.Username, id)
			}
		}
		if u.Lang != "nb" {
			t.Errorf("%s: lang %q", u.Username, u.Lang)
		}
	}
	users := byUsername(m)
	for _, c := range []struct {
		username, name string
		role           care.Role
		units          int
	}{
		{"anna", "Anna Berg", care.RoleWorker, 1},
		{"nils", "Nils Hauge", care.RoleNurse, 1},
		{"kari", "Kari Lunde", care.RoleCoordinator, 2},
		{"admin", "Administrator", care.RoleAdmin, 2},
		{"ole", "", care.RoleWorker, 1},
		{"sara", "", care.RoleNurse, 1},
		{"per", "", care.RoleWorker, 1},
	} {
		u, ok := users[c.username]
		switch {
		case !ok:
			t.Errorf("no user %s", c.username)
		case c.name != "" && u.Name != c.name, u.Role != c.role, len(u.Units) != c.units:
			t.Errorf("%s = %+v, want name %q role %s in %d units", c.username, u, c.name, c.role, c.units)
		}
	}
	if !slices.Equal(users["anna"].Units, users["nils"].Units) {
		t.Error("anna and nils should share a unit")
	}
}

func TestPatients(t *testing.T) {
	m := Build(days(t)[0], oslo(t))
	if n := len(m.Patients); n < 36 || n > 44 {
		t.Errorf("got %d patients, want about 40", n)
	}
	count := map[care.Priority]int{}
	for _, p := range m.Patients {
		count[p.Priority]++
		if !p.Priority.Valid() {
			t.Errorf("%s: invalid priority %d", p.Name, p.Priority)
		}
		born, err := time.Parse("2006-01-02", p.BirthDate)
		if err != nil {
			t.Errorf("%s: birth date %q: %v", p.Name, p.BirthDate, err)
		} else if age := 2026 - born.Year(); age < 67 || age > 98 {
			t.Errorf("%s: age %d", p.Name, age)
		}
		if p.Address == "" || p.AccessInfo == "" || p.ResponsibleNurse.Phone == "" || p.GP.Phone == "" {
			t.Errorf("%s: incomplete person card", p.Name)
		}
		if n := len(p.Relatives); n < 1 || n > 2 {
			t.Errorf("%s: %d relatives", p.Name, n)
		}
		var alarm, dispenser, critical bool
		for _, e := range p.Equipment {
			alarm = alarm || e.Name == "Trygghetsalarm"
			dispenser = dispenser || strings.HasPrefix(e.Name, "Medisindispenser")
			critical = critical || e.LifeCritical
			if e.LifeCritical && !e.PowerDependent {
				t.Errorf("%s: %s life critical but not power dependent", p.Name, e.Name)
			}
		}
		if critical && p.Priority != care.PriorityVital {
			t.Errorf("%s: life-critical equipment but priority %d", p.Name, p.Priority)
		}
		if alarm != p.SafetyAlarm || dispenser != p.MedicationDispenser {
			t.Errorf("%s: flags disagree with equipment", p.Name)
		}
		if p.LivesAlone && slices.ContainsFunc(p.Relatives, func(c care.Contact) bool { return c.Relation == "Ektefelle" }) {
			t.Errorf("%s: lives alone with a spouse", p.Name)
		}
	}
	n := float64(len(m.Patients))
	if v := float64(count[care.PriorityVital]) / n; v < 0.2 || v > 0.3 {
		t.Errorf("vital share %.2f, want about 0.25", v)
	}
	if h := float64(count[care.PriorityHigh]) / n; h < 0.3 || h > 0.4 {
		t.Errorf("high share %.2f, want about 0.35", h)
	}
}

func TestVisits(t *testing.T) {
	loc := oslo(t)
	for _, day := range days(t) {
		m := Build(day, loc)
		patients := map[string]care.Patient{}
		for _, p := range m.Patients {
			patients[p.ID] = p
		}
		users := map[string]care.User{}
		for _, u := range m.Users {
			users[u.ID] = u
		}
		y, mo, d := day.In(loc).Date()
		open, close := time.Date(y, mo, d, 7, 30, 0, 0, loc), time.Date(y, mo, d, 15, 0, 0, 0, loc)
		perWorker := map[string][]care.Visit{}
		visited := map[string]bool{}
		for _, v := range m.Visits {
			p, ok := patients[v.PatientID]
			if !ok {
				t.Fatalf("visit %s: unknown patient", v.ID)
			}
			w, ok := users[v.WorkerID]
			if !ok || !w.Role.WorksShifts() {
				t.Fatalf("visit %s: worker %s missing or not a shift role", v.ID, v.WorkerID)
			}
			if v.UnitID != p.UnitID || !slices.Contains(w.Units, p.UnitID) {
				t.Errorf("visit %s: %s visits %s outside the unit", v.ID, w.Username, p.Name)
			}
			if vy, vm, vd := v.Start.In(loc).Date(); vy != y || vm != mo || vd != d {
				t.Errorf("visit %s starts %s, not on %d-%02d-%02d", v.ID, v.Start, y, mo, d)
			}
			if v.Start.Before(open) || v.End().After(close) {
				t.Errorf("visit %s at %s–%s outside 07:30–15:00", v.ID, v.Start.In(loc).Format("15:04"), v.End().In(loc).Format("15:04"))
			}
			if v.DurationMinutes < 10 || v.DurationMinutes > 60 {
				t.Errorf("visit %s: %d minutes", v.ID, v.DurationMinutes)
			}
			if n := len(v.Tasks); n < 1 || n > 4 {
				t.Errorf("visit %s: %d tasks", v.ID, n)
			}
			perWorker[w.Username] = append(perWorker[w.Username], v)
			visited[v.PatientID] = true
		}
		for _, p := range m.Patients {
			if !visited[p.ID] {
				t.Errorf("%s: no visit today", p.Name)
			}
		}
		for _, c := range []struct {
			worker   string
			min, max int
		}{{"anna", 6, 10}, {"nils", 6, 10}, {"ole", 6, 8}, {"sara", 6, 8}, {"per", 6, 8}, {"lise", 6, 8}} {
			vs := perWorker[c.worker]
			if len(vs) < c.min || len(vs) > c.max {
				t.Errorf("%s: %d visits, want %d–%d", c.worker, len(vs), c.min, c.max)
			}
		}
		for w, vs := range perWorker {
			vs = slices.Clone(vs)
			slices.SortFunc(vs, func(a, b care.Visit) int { return a.Start.Compare(b.Start) })
			for i := 1; i < len(vs); i++ {
				if vs[i].Start.Before(vs[i-1].End()) {
					t.Errorf("%s: visit at %s overlaps the one before", w, vs[i].Start.In(loc).Format("15:04"))
				}
			}
		}
	}
}

func TestDoses(t *testing.T) {
	m := Build(days(t)[0], oslo(t))
	if n := len(m.Doses); n < 30 || n > 45 {
		t.Errorf("got %d doses, want 30–45", n)
	}
	patients := map[string]bool{}
	for _, p := range m.Patients {
		patients[p.ID] = true
	}
	visits := map[string]care.Visit{}
	for _, v := range m.Visits {
		visits[v.ID] = v
	}
	users := byUsername(m)
	own := map[string]int{}
	double := map[string]int{}
	for _, d := range m.Doses {
		if !patients[d.PatientID] {
			t.Errorf("dose %s: unknown patient", d.ID)
		}
		v, ok := visits[d.VisitID]
		if !ok {
			t.Errorf("dose %s: unknown visit", d.ID)
			continue
		}
		if v.PatientID != d.PatientID {
			t.Errorf("dose %s: visit is another patient's", d.ID)
		}
		if d.Due.Before(v.Start) || !d.Due.Before(v.End()) {
			t.Errorf("dose %s due %s outside its visit", d.ID, d.Due)
		}
		if d.Medication == "" || d.Dose == "" || d.Route == "" {
			t.Errorf("dose %s: incomplete", d.ID)
		}
		own[v.WorkerID]++
		if d.DoubleCheck {
			double[v.WorkerID]++
		}
	}
	for _, c := range []struct {
		worker          string
		doses, doubleCk int
	}{{"anna", 4, 0}, {"nils", 4, 1}} {
		id := users[c.worker].ID
		if own[id] < c.doses || double[id] < c.doubleCk {
			t.Errorf("%s: %d doses (%d double check), want ≥%d (≥%d)", c.worker, own[id], double[id], c.doses, c.doubleCk)
		}
	}
}

func TestRoutines(t *testing.T) {
	m := Build(days(t)[0], oslo(t))
	want := []care.Scenario{care.ScenarioEHRDown, care.ScenarioPlannerDown, care.ScenarioAlarmDown,
		care.ScenarioPowerLoss, care.ScenarioTelecomLoss, care.ScenarioCyber}
	if len(m.Routines) != len(want) {
		t.Fatalf("got %d routines, want %d", len(m.Routines), len(want))
	}
	var got []care.Scenario
	for _, r := range m.Routines {
		got = append(got, r.Scenario)
		if !strings.HasPrefix(r.Title, "Nødrutine: ") {
			t.Errorf("%s: title %q", r.Scenario, r.Title)
		}
		if n := len(r.Steps); n < 5 || n > 9 {
			t.Errorf("%s: %d steps", r.Scenario, n)
		}
		if n := len(r.Contacts); n < 2 || n > 4 {
			t.Errorf("%s: %d contacts", r.Scenario, n)
		}
		for _, c := range r.Contacts {
			if c.Name == "" || c.Phone == "" {
				t.Errorf("%s: contact %+v incomplete", r.Scenario, c)
			}
		}
		if len(r.Units) != 0 || r.Revised != "2026-09-01" || r.Version != 1 {
			t.Errorf("%s: units %v revised %q version %d", r.Scenario, r.Units, r.Revised, r.Version)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("scenarios %v, want %v", got, want)
	}
}

func TestAnnouncements(t *testing.T) {
	loc := oslo(t)
	day := days(t)[0]
	m := Build(day, loc)
	kari := byUsername(m)["kari"]
	if n := len(m.Announcements); n < 1 || n > 2 {
		t.Fatalf("got %d announcements", n)
	}
	y, mo, d := day.Date()
	for _, a := range m.Announcements {
		if a.Level != "info" && a.Level != "important" {
			t.Errorf("level %q", a.Level)
		}
		if !a.Posted.Equal(time.Date(y, mo, d, 7, 0, 0, 0, loc)) {
			t.Errorf("posted %s", a.Posted)
		}
		if a.AuthorID != kari.ID || a.Author != "Kari Lunde" || len(a.Units) != len(m.Units) || a.Text == "" {
			t.Errorf("announcement %+v", a)
		}
	}
}

// TestNoAliasing guards the fixed tables: editing one build must not leak
// into the next.
func TestNoAliasing(t *testing.T) {
	loc := oslo(t)
	day := days(t)[0]
	a := Build(day, loc)
	a.Patients[0].Warnings = append(a.Patients[0].Warnings[:0], "x")
	a.Patients[0].Equipment[0].Name = "x"
	a.Visits[0].Tasks[0] = "x"
	a.Routines[0].Steps[0] = "x"
	a.Routines[0].Contacts[0].Phone = "x"
	a.Users[0].Units[0] = "x"
	a.Announcements[0].Units[0] = "x"
	if b, c := Build(day, loc), Build(day, loc); !reflect.DeepEqual(b, c) || reflect.DeepEqual(a, b) {
		t.Fatal("a build shares memory with the tables")
	}
	if b := Build(day, loc); b.Patients[0].Equipment[0].Name == "x" || b.Routines[0].Steps[0] == "x" {
		t.Fatal("edits leaked into a new build")
	}
}

// TestIDsFollowTheImportScheme: every demo patient, visit and dose carries
// a source id and its id is the one a plan import derives from it, so an
// import that names a demo item's source id finds that item (and its
// unit's checks) instead of making a second one under the same source id.
func TestIDsFollowTheImportScheme(t *testing.T) {
	m := Build(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), nil)
	seen := map[string]bool{}
	check := func(kind, id, source string) {
		t.Helper()
		if source == "" || id != care.IDFor(kind, source) {
			t.Errorf("%s %s has source id %q: id is not care.IDFor(%q, source)", kind, id, source, kind)
		}
		if seen[kind+source] {
			t.Errorf("%s source id %q twice", kind, source)
		}
		seen[kind+source] = true
	}
	for _, p := range m.Patients {
		check("patient", p.ID, p.SourceID)
	}
	for _, v := range m.Visits {
		check("visit", v.ID, v.SourceID)
	}
	for _, d := range m.Doses {
		check("dose", d.ID, d.SourceID)
	}
	for _, r := range m.Routines {
		if r.ID != care.IDFor("routine", "FJV-routine-"+string(r.Scenario)) {
			t.Errorf("routine %s: id not derived from its source id", r.Title)
		}
	}
}
