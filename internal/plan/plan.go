// Package plan imports the next day's plan from the planning and record
// systems: patients' person cards, visits, scheduled doses and routines,
// as JSON (POST /api/v1/plan) or CSV (beredskap import). An import is all
// or nothing: every problem is reported with its line and column, and a
// plan with any problem stores nothing. Items carry the source system's
// ids, so importing the same plan again updates instead of duplicating.
package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
)

// IDFor returns the Beredskap id of a source system's item (care.IDFor).
func IDFor(kind, sourceID string) string { return care.IDFor(kind, sourceID) }

// Patient is a person card as imported; Unit is the unit's id or name.
type Patient struct {
	SourceID            string           `json:"source_id"`
	Unit                string           `json:"unit"`
	Name                string           `json:"name"`
	BirthDate           string           `json:"birth_date,omitempty"`
	Address             string           `json:"address"`
	AccessInfo          string           `json:"access_info"`
	Relatives           []care.Contact   `json:"relatives,omitempty"`
	ResponsibleNurse    care.Contact     `json:"responsible_nurse"`
	GP                  care.Contact     `json:"gp"`
	Allergies           []string         `json:"allergies,omitempty"`
	Warnings            []string         `json:"warnings,omitempty"`
	Equipment           []care.Equipment `json:"equipment,omitempty"`
	Priority            care.Priority    `json:"priority"`
	LivesAlone          bool             `json:"lives_alone,omitempty"`
	SafetyAlarm         bool             `json:"safety_alarm,omitempty"`
	MedicationDispenser bool             `json:"medication_dispenser,omitempty"`

	line int
	path string
}

// Visit is a planned visit; the patient is named by source id and the
// worker by username.
type Visit struct {
	SourceID        string    `json:"source_id"`
	PatientSourceID string    `json:"patient_source_id"`
	Worker          string    `json:"worker"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
	Tasks           []string  `json:"tasks,omitempty"`

	line int
	path string
}

// Dose is a scheduled medication administration.
type Dose struct {
	SourceID        string    `json:"source_id"`
	PatientSourceID string    `json:"patient_source_id"`
	VisitSourceID   string    `json:"visit_source_id,omitempty"`
	Medication      string    `json:"medication"`
	Dose            string    `json:"dose"`
	Route           string    `json:"route"`
	Due             time.Time `json:"due"`
	DoubleCheck     bool      `json:"double_check,omitempty"`
	WindowMinutes   int       `json:"window_minutes,omitempty"`

	line int
	path string
}

// Plan is one import.
type Plan struct {
	Patients    []Patient      `json:"patients"`
	Visits      []Visit        `json:"visits"`
	Medications []Dose         `json:"medications"`
	Routines    []care.Routine `json:"routines"`
}

// Problem is one thing wrong with an import.
type Problem struct {
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column"`
	Problem string `json:"problem"`
	claim   bool
}

// Claim reports whether the problem is a source id that another unit's
// item already has: the plan conflicts with stored data of a unit the
// importer may not write to, rather than being malformed.
func (p Problem) Claim() bool { return p.claim }

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d, %s: %s", p.Line, p.Column, p.Problem)
	}
	return p.Column + ": " + p.Problem
}

// Report says what an import did, or why it did nothing.
type Report struct {
	Patients    int       `json:"patients"`
	Visits      int       `json:"visits"`
	Medications int       `json:"medications"`
	Routines    int       `json:"routines"`
	Problems    []Problem `json:"problems,omitempty"`
	Stored      bool      `json:"stored"`
}

// Directory is what an import resolves names against.
type Directory struct {
	Units    []care.Unit
	Accounts []store.Account
	// Scope holds the ids of the units the importer may write to; nil
	// means every unit. Items are upserted by source id, so a coordinator's
	// plan that reused another unit's source id would otherwise overwrite
	// that unit's patient, visit, dose or routine, or move it into theirs.
	Scope []string
	// Stored looks up what the plan names or would overwrite; nil when
	// nothing is stored.
	Stored Stored
}

// Stored is what an import reads from the store; every store.Store is one.
type Stored interface {
	Patient(ctx context.Context, id string) (care.Patient, error)
	Visit(ctx context.Context, id string) (care.Visit, error)
	Dose(ctx context.Context, id string) (care.ScheduledDose, error)
	Routine(ctx context.Context, id string) (care.Routine, error)
}

// Store is what an import reads and writes: the accounts and units it
// resolves names against, what it would overwrite, and the plan.
type Store interface {
	store.Accounts
	store.Schedule
	store.Routines
}

// LoadDirectory reads the units and accounts from the store. Its scope is
// every unit; narrow Scope for a coordinator.
func LoadDirectory(ctx context.Context, db Store) (Directory, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return Directory{}, err
	}
	accts, err := db.Accounts(ctx)
	if err != nil {
		return Directory{}, err
	}
	return Directory{Units: units, Accounts: accts, Stored: db}, nil
}

// writable reports whether the importer may write to a unit.
func (dir Directory) writable(unit string) bool {
	return dir.Scope == nil || slices.Contains(dir.Scope, unit)
}

// nothingStored is the Stored of an empty store.
type nothingStored struct{}

func (nothingStored) Patient(context.Context, string) (care.Patient, error) {
	return care.Patient{}, store.ErrNotFound
}
func (nothingStored) Visit(context.Context, string) (care.Visit, error) {
	return care.Visit{}, store.ErrNotFound
}
func (nothingStored) Dose(context.Context, string) (care.ScheduledDose, error) {
	return care.ScheduledDose{}, store.ErrNotFound
}
func (nothingStored) Routine(context.Context, string) (care.Routine, error) {
	return care.Routine{}, store.ErrNotFound
}

// lookup reads one stored item; found is false when there is none. The
// first read that fails is kept in failed: a plan that could not be
// checked is not stored.
func lookup[T any](ctx context.Context, get func(context.Context, string) (T, error), id string, failed *error) (item T, found bool) {
	item, err := get(ctx, id)
	switch {
	case err == nil:
		return item, true
	case !errors.Is(err, store.ErrNotFound) && *failed == nil:
		*failed = fmt.Errorf("look up %s: %w", id, err)
	}
	return item, false
}

// resolve checks the whole plan and turns it into what the store keeps.
// Problems name where each one is; the error is a store read that failed.
func (pl *Plan) resolve(ctx context.Context, dir Directory) (store.Plan, []Problem, error) {
	var out store.Plan
	var problems []Problem
	var failed error
	st := dir.Stored
	if st == nil {
		st = nothingStored{}
	}
	bad := func(item any, column, format string, args ...any) {
		problems = append(problems, pl.problem(item, column, fmt.Sprintf(format, args...)))
	}
	// claimed reports an item whose source id another unit's item has:
	// the plan would overwrite that unit's item, so it is refused whole.
	claimed := func(item any, column, format string, args ...any) {
		p := pl.problem(item, column, fmt.Sprintf(format, args...))
		p.claim = true
		problems = append(problems, p)
	}
	// tooLong reports the first text of an item over its length limit
	// (care's limits, defined once beside each type).
	tooLong := func(item any, errs ...error) bool {
		for _, err := range errs {
			if err != nil {
				column, problem := limitProblem(err)
				bad(item, column, "%s", problem)
				return true
			}
		}
		return false
	}
	unitOf := map[string]string{}
	for _, u := range dir.Units {
		unitOf[u.ID], unitOf[strings.ToLower(u.Name)] = u.ID, u.ID
	}
	users := map[string]store.Account{}
	for _, a := range dir.Accounts {
		users[auth.NormalizeUsername(a.Username)] = a
	}

	patients := map[string]care.Patient{} // by source id
	for i := range pl.Patients {
		p := &pl.Patients[i]
		if tooLong(p, care.CheckLength("unit", p.Unit, care.MaxNameBytes), care.Patient{Name: p.Name, BirthDate: p.BirthDate,
			Address: p.Address, AccessInfo: p.AccessInfo, Relatives: p.Relatives, ResponsibleNurse: p.ResponsibleNurse, GP: p.GP,
			Allergies: p.Allergies, Warnings: p.Warnings, Equipment: p.Equipment, SourceID: p.SourceID}.CheckLimits()) {
			continue
		}
		switch {
		case strings.TrimSpace(p.SourceID) == "":
			bad(p, "source_id", "is required")
			continue
		case patients[p.SourceID].ID != "":
			bad(p, "source_id", "%q appears twice", p.SourceID)
			continue
		}
		unit, ok := unitOf[p.Unit]
		if !ok {
			unit, ok = unitOf[strings.ToLower(p.Unit)]
		}
		switch {
		case !ok:
			bad(p, "unit", "no unit %q", p.Unit)
		case !dir.writable(unit):
			bad(p, "unit", "unit %q is not one of yours", p.Unit)
		}
		if strings.TrimSpace(p.Name) == "" {
			bad(p, "name", "is required")
		}
		if strings.TrimSpace(p.Address) == "" {
			bad(p, "address", "is required")
		}
		if p.Priority == 0 {
			p.Priority = care.PriorityNormal
		}
		if !p.Priority.Valid() {
			bad(p, "priority", "must be 1 (life-critical), 2 or 3")
		}
		if p.BirthDate != "" {
			if _, err := time.Parse("2006-01-02", p.BirthDate); err != nil {
				bad(p, "birth_date", "must be YYYY-MM-DD")
			}
		}
		cp := care.Patient{ID: IDFor("patient", p.SourceID), UnitID: unit, Name: strings.TrimSpace(p.Name), BirthDate: p.BirthDate,
			Address: p.Address, AccessInfo: p.AccessInfo, Relatives: p.Relatives, ResponsibleNurse: p.ResponsibleNurse, GP: p.GP,
			Allergies: p.Allergies, Warnings: p.Warnings, Equipment: p.Equipment, Priority: p.Priority,
			LivesAlone: p.LivesAlone, SafetyAlarm: p.SafetyAlarm, MedicationDispenser: p.MedicationDispenser, SourceID: p.SourceID}
		for _, e := range cp.Equipment {
			if e.LifeCritical && cp.Priority != care.PriorityVital {
				bad(p, "priority", "a patient with life-critical equipment (%s) must have priority 1", e.Name)
				break
			}
		}
		// Moving a patient between units takes both: the one it leaves
		// loses the person card from its phones.
		if dir.Scope != nil {
			if old, found := lookup(ctx, st.Patient, cp.ID, &failed); found && !dir.writable(old.UnitID) {
				claimed(p, "source_id", "%q is the source id of a patient of a unit that is not yours", p.SourceID)
			}
		}
		patients[p.SourceID] = cp
		out.Patients = append(out.Patients, cp)
	}
	patientFor := func(item any, sourceID string) (care.Patient, bool) {
		if p, ok := patients[sourceID]; ok {
			return p, true // its unit is checked with the patient
		}
		p, found := lookup(ctx, st.Patient, IDFor("patient", sourceID), &failed)
		switch {
		case !found:
			bad(item, "patient_source_id", "no patient %q in this plan or stored before", sourceID)
			return care.Patient{}, false
		case !dir.writable(p.UnitID):
			bad(item, "patient_source_id", "%q is a patient of a unit that is not yours", sourceID)
			return care.Patient{}, false
		}
		return p, true
	}

	visits := map[string]care.Visit{}
	for i := range pl.Visits {
		v := &pl.Visits[i]
		if tooLong(v, care.CheckLength("patient_source_id", v.PatientSourceID, care.MaxIDBytes),
			care.CheckLength("worker", v.Worker, care.MaxUsernameBytes),
			care.Visit{SourceID: v.SourceID, Tasks: v.Tasks}.CheckLimits()) {
			continue
		}
		if strings.TrimSpace(v.SourceID) == "" {
			bad(v, "source_id", "is required")
			continue
		}
		if visits[v.SourceID].ID != "" {
			bad(v, "source_id", "%q appears twice", v.SourceID)
			continue
		}
		p, ok := patientFor(v, v.PatientSourceID)
		acct, known := users[auth.NormalizeUsername(v.Worker)]
		switch {
		case !known:
			bad(v, "worker", "no user %q", v.Worker)
		case !acct.Role.WorksShifts():
			bad(v, "worker", "%q is a %s, not a worker or nurse", v.Worker, acct.Role)
		case ok && !slices.Contains(acct.Units, p.UnitID):
			bad(v, "worker", "%q does not work in the patient's unit", v.Worker)
		}
		if v.Start.IsZero() {
			bad(v, "start", "is required")
		}
		if v.DurationMinutes <= 0 || v.DurationMinutes > 24*60 {
			bad(v, "duration_minutes", "must be 1–1440")
		}
		cv := care.Visit{ID: IDFor("visit", v.SourceID), PatientID: p.ID, WorkerID: acct.ID, UnitID: p.UnitID,
			Start: v.Start.UTC(), DurationMinutes: v.DurationMinutes, Tasks: v.Tasks, SourceID: v.SourceID}
		if dir.Scope != nil {
			if old, found := lookup(ctx, st.Visit, cv.ID, &failed); found && !dir.writable(old.UnitID) {
				claimed(v, "source_id", "%q is the source id of a visit of a unit that is not yours", v.SourceID)
			}
		}
		visits[v.SourceID] = cv
		out.Visits = append(out.Visits, cv)
	}

	seenDose := map[string]bool{}
	for i := range pl.Medications {
		d := &pl.Medications[i]
		if tooLong(d, care.CheckLength("patient_source_id", d.PatientSourceID, care.MaxIDBytes),
			care.CheckLength("visit_source_id", d.VisitSourceID, care.MaxIDBytes),
			care.ScheduledDose{Medication: d.Medication, Dose: d.Dose, Route: d.Route, SourceID: d.SourceID}.CheckLimits()) {
			continue
		}
		if strings.TrimSpace(d.SourceID) == "" {
			bad(d, "source_id", "is required")
			continue
		}
		if seenDose[d.SourceID] {
			bad(d, "source_id", "%q appears twice", d.SourceID)
			continue
		}
		seenDose[d.SourceID] = true
		p, _ := patientFor(d, d.PatientSourceID)
		visitID := ""
		if d.VisitSourceID != "" {
			v, ok := visits[d.VisitSourceID]
			switch {
			case !ok:
				bad(d, "visit_source_id", "no visit %q in this plan", d.VisitSourceID)
			case v.PatientID != p.ID:
				bad(d, "visit_source_id", "visit %q is another patient's", d.VisitSourceID)
			}
			visitID = v.ID
		}
		if strings.TrimSpace(d.Medication) == "" {
			bad(d, "medication", "is required")
		}
		if strings.TrimSpace(d.Dose) == "" {
			bad(d, "dose", "is required")
		}
		if d.Due.IsZero() {
			bad(d, "due", "is required")
		}
		if d.WindowMinutes < 0 || d.WindowMinutes > 12*60 {
			bad(d, "window_minutes", "must be 0–720")
		}
		if dir.Scope != nil {
			// A stored dose belongs to its patient's unit; a dose whose
			// patient is gone cannot be placed and is left alone.
			if old, found := lookup(ctx, st.Dose, IDFor("dose", d.SourceID), &failed); found {
				if owner, known := lookup(ctx, st.Patient, old.PatientID, &failed); !known || !dir.writable(owner.UnitID) {
					claimed(d, "source_id", "%q is the source id of a dose of a unit that is not yours", d.SourceID)
				}
			}
		}
		out.Doses = append(out.Doses, care.ScheduledDose{ID: IDFor("dose", d.SourceID), PatientID: p.ID, VisitID: visitID,
			Medication: d.Medication, Dose: d.Dose, Route: d.Route, Due: d.Due.UTC(), DoubleCheck: d.DoubleCheck,
			WindowMinutes: d.WindowMinutes, SourceID: d.SourceID})
	}

	for i := range pl.Routines {
		r := &pl.Routines[i]
		if tooLong(r, r.CheckLimits()) {
			continue
		}
		if r.ID == "" {
			bad(r, "id", "is required")
		} else if !care.IsUUID(r.ID) {
			r.ID = IDFor("routine", r.ID) // a source id
		}
		if strings.TrimSpace(r.Title) == "" {
			bad(r, "title", "is required")
		}
		if !r.Scenario.Valid() {
			bad(r, "scenario", "unknown scenario %q", r.Scenario)
		}
		if len(r.Steps) == 0 {
			bad(r, "steps", "a routine needs at least one step")
		}
		if dir.Scope != nil {
			for _, u := range r.Units {
				if !dir.writable(u) {
					bad(r, "units", "unit %q is not one of yours", u)
				}
			}
			if len(r.Units) == 0 {
				r.Units = slices.Clone(dir.Scope) // as for a routine written in the office
			}
			if r.ID != "" {
				// A stored routine without units is every unit's.
				old, found := lookup(ctx, st.Routine, r.ID, &failed)
				if found && (len(old.Units) == 0 || slices.ContainsFunc(old.Units, func(u string) bool { return !dir.writable(u) })) {
					claimed(r, "id", "routine %q is also for units that are not yours", old.Title)
				}
			}
		}
		out.Routines = append(out.Routines, *r)
	}
	if failed != nil {
		return store.Plan{}, nil, failed
	}
	return out, problems, nil
}

// problem says where an item came from: a CSV line, or a JSON path.
func (pl *Plan) problem(item any, column, problem string) Problem {
	var line int
	var path string
	switch it := item.(type) {
	case *Patient:
		line, path = it.line, it.path
	case *Visit:
		line, path = it.line, it.path
	case *Dose:
		line, path = it.line, it.path
	case *care.Routine:
		for i := range pl.Routines {
			if &pl.Routines[i] == it {
				path = fmt.Sprintf("routines[%d]", i)
			}
		}
	}
	if line > 0 {
		return Problem{Line: line, Column: column, Problem: problem}
	}
	if path != "" {
		column = path + "." + column
	}
	return Problem{Column: column, Problem: problem}
}

// Apply checks the plan and, when nothing is wrong, stores it all or
// nothing (store.ApplyPlan). Report.Stored says which happened.
//
// A plan with more items than MaxPatients, MaxVisits, MaxDoses or
// MaxRoutines is refused with a *SizeError before anything is looked up.
func Apply(ctx context.Context, db Store, dir Directory, pl *Plan) (Report, error) {
	if err := pl.CheckSize(); err != nil {
		return Report{}, err
	}
	sp, problems, err := pl.resolve(ctx, dir)
	if err != nil {
		return Report{}, fmt.Errorf("import plan: %w", err)
	}
	rep := Report{Patients: len(sp.Patients), Visits: len(sp.Visits), Medications: len(sp.Doses), Routines: len(sp.Routines), Problems: problems}
	if len(problems) > 0 {
		return rep, nil
	}
	sp.Scope = dir.Scope
	var scope *store.ScopeError
	if err := db.ApplyPlan(ctx, sp); errors.As(err, &scope) {
		// Another import moved something this plan touches into a unit
		// that is not the importer's after the checks above.
		rep.Problems = append(rep.Problems, Problem{Column: "source_id", claim: true,
			Problem: fmt.Sprintf("%s %q became another unit's while the plan was checked (another import)", scope.What, scope.Name)})
		return rep, nil
	} else if err != nil {
		return rep, fmt.Errorf("import plan: %w", err)
	}
	rep.Stored = true
	return rep, nil
}
