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
	// PRN lists the patient's as-needed medications. Like the rest of
	// the person card, an import replaces the stored list whole.
	PRN []PRN `json:"prn,omitempty"`

	line int
	path string
}

// PRN is an as-needed medication of a patient, as imported: its source id
// is unique within the patient.
type PRN struct {
	SourceID           string   `json:"source_id"`
	Medication         string   `json:"medication"`
	Dose               string   `json:"dose"`
	Route              string   `json:"route,omitempty"`
	Indications        []string `json:"indications"`
	MinIntervalMinutes int      `json:"min_interval_minutes,omitempty"`
	MaxPer24h          int      `json:"max_per_24h"`
	EffectAfterMinutes int      `json:"effect_after_minutes,omitempty"`
	// Controlled marks a controlled drug: every dose needs a second
	// signature.
	Controlled bool `json:"controlled,omitempty"`
}

// prnOf turns a patient's imported PRN medications into the person
// card's, each with an id made from the patient's and its own source id.
func prnOf(patientSourceID string, ps []PRN) []care.PRNMedication {
	var out []care.PRNMedication
	for _, p := range ps {
		out = append(out, care.PRNMedication{ID: IDFor("prn", patientSourceID+"/"+p.SourceID), SourceID: p.SourceID,
			Medication: strings.TrimSpace(p.Medication), Dose: strings.TrimSpace(p.Dose), Route: strings.TrimSpace(p.Route),
			Indications: p.Indications, MinIntervalMinutes: p.MinIntervalMinutes, MaxPer24h: p.MaxPer24h,
			EffectAfterMinutes: p.EffectAfterMinutes, Controlled: p.Controlled})
	}
	return out
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
	// Controlled marks a controlled drug, which needs a second signature
	// as a double check does.
	Controlled bool `json:"controlled,omitempty"`

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

// Problem is one thing wrong with an import. Problem is English; Key and
// Args, when set, name the same in the translation catalogue (as on a
// wire error), so that the office shows it in the coordinator's language.
type Problem struct {
	Line    int      `json:"line,omitempty"`
	Column  string   `json:"column"`
	Problem string   `json:"problem"`
	Key     string   `json:"key,omitempty"`
	Args    []string `json:"args,omitempty"`
	claim   bool
}

// The catalogue keys of an import's own problems; the rules the import
// shares with the office carry care's keys.
const (
	keyTwice             = "error.plan.twice"               // source id
	keyPatientNotYours   = "error.plan.patient_not_yours"   // source id
	keyNotWorker         = "error.plan.not_worker"          // username
	keyWorkerUnit        = "error.plan.worker_unit"         // username
	keyVisitOtherPatient = "error.plan.visit_other_patient" // source id
	keyClaimed           = "error.plan.claimed"             // source id
	keyRoutineClaimed    = "error.plan.routine_claimed"     // title
	keyUnitNotYours      = "error.unit_not_yours"           // unit
	keyChanged           = "error.plan.changed"             // name
)

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

// resolver holds what resolve has learnt so far: the problems found, the
// first store read that failed and the items already resolved, which
// later kinds refer to (a visit to its patient, a dose to its visit).
type resolver struct {
	ctx      context.Context
	pl       *Plan
	dir      Directory
	st       Stored
	out      store.Plan
	problems []Problem
	failed   error
	unitOf   map[string]string        // unit id and lower-case name → id
	users    map[string]store.Account // by normalised username
	patients map[string]care.Patient  // by source id
	visits   map[string]care.Visit    // by source id
}

// resolve checks the whole plan and turns it into what the store keeps.
// Problems name where each one is; the error is a store read that failed.
func (pl *Plan) resolve(ctx context.Context, dir Directory) (store.Plan, []Problem, error) {
	rv := &resolver{ctx: ctx, pl: pl, dir: dir, st: dir.Stored, unitOf: map[string]string{}, users: map[string]store.Account{},
		patients: map[string]care.Patient{}, visits: map[string]care.Visit{}}
	if rv.st == nil {
		rv.st = nothingStored{}
	}
	rv.index()
	rv.resolvePatients()
	rv.resolveVisits()
	rv.resolveDoses()
	rv.resolveRoutines()
	if rv.failed != nil {
		return store.Plan{}, nil, rv.failed
	}
	return rv.out, rv.problems, nil
}

// keyed is a problem's catalogue key and its arguments.
type keyed struct {
	key  string
	args []string
}

func key(k string, args ...string) keyed { return keyed{k, args} }

// bad reports a problem of the item, with its catalogue key.
func (rv *resolver) bad(item any, column string, k keyed, format string, args ...any) {
	p := rv.pl.problem(item, column, fmt.Sprintf(format, args...))
	p.Key, p.Args = k.key, k.args
	rv.problems = append(rv.problems, p)
}

// claimed reports an item whose source id another unit's item has: the
// plan would overwrite that unit's item, so it is refused whole.
func (rv *resolver) claimed(item any, column string, k keyed, format string, args ...any) {
	rv.bad(item, column, k, format, args...)
	rv.problems[len(rv.problems)-1].claim = true
}

// invalid reports every problem of err, a care rule's verdict on the item
// (the length limits included); it reports whether there was one.
func (rv *resolver) invalid(item any, err error) bool {
	for _, v := range care.Problems(err) {
		k, args := v.Message()
		rv.bad(item, v.Field, key(k, args...), "%s", v.Problem)
	}
	if err != nil && len(care.Problems(err)) == 0 {
		rv.bad(item, "", keyed{}, "%s", err.Error())
	}
	return err != nil
}

// tooLong reports the first text of an item over its length limit (care's
// limits, defined once beside each type).
func (rv *resolver) tooLong(item any, errs ...error) bool {
	for _, err := range errs {
		if err != nil {
			return rv.invalid(item, err)
		}
	}
	return false
}

// index indexes the units by id and name and the accounts by username.
func (rv *resolver) index() {
	for _, u := range rv.dir.Units {
		rv.unitOf[u.ID], rv.unitOf[strings.ToLower(u.Name)] = u.ID, u.ID
	}
	for _, a := range rv.dir.Accounts {
		rv.users[auth.NormalizeUsername(a.Username)] = a
	}
}

func (rv *resolver) resolvePatients() {
	dir := rv.dir
	for i := range rv.pl.Patients {
		p := &rv.pl.Patients[i]
		if rv.tooLong(p, care.CheckLength("unit", p.Unit, care.MaxNameBytes), care.Patient{Name: p.Name, BirthDate: p.BirthDate,
			Address: p.Address, AccessInfo: p.AccessInfo, Relatives: p.Relatives, ResponsibleNurse: p.ResponsibleNurse, GP: p.GP,
			Allergies: p.Allergies, Warnings: p.Warnings, Equipment: p.Equipment, SourceID: p.SourceID}.CheckLimits()) {
			continue
		}
		switch {
		case strings.TrimSpace(p.SourceID) == "":
			rv.bad(p, "source_id", key(care.KeyRequired, "source_id"), "is required")
			continue
		case rv.patients[p.SourceID].ID != "":
			rv.bad(p, "source_id", key(keyTwice, p.SourceID), "%q appears twice", p.SourceID)
			continue
		}
		unit, ok := rv.unitOf[p.Unit]
		if !ok {
			unit, ok = rv.unitOf[strings.ToLower(p.Unit)]
		}
		switch {
		case !ok:
			rv.bad(p, "unit", key(care.KeyUnknown, "unit", p.Unit), "no unit %q", p.Unit)
		case !dir.writable(unit):
			rv.bad(p, "unit", key(keyUnitNotYours, p.Unit), "unit %q is not one of yours", p.Unit)
		}
		if p.Priority == 0 {
			p.Priority = care.PriorityNormal
		}
		cp := care.Patient{ID: IDFor("patient", p.SourceID), UnitID: unit, Name: strings.TrimSpace(p.Name), BirthDate: p.BirthDate,
			Address: p.Address, AccessInfo: p.AccessInfo, Relatives: p.Relatives, ResponsibleNurse: p.ResponsibleNurse, GP: p.GP,
			Allergies: p.Allergies, Warnings: p.Warnings, Equipment: p.Equipment, Priority: p.Priority,
			LivesAlone: p.LivesAlone, SafetyAlarm: p.SafetyAlarm, MedicationDispenser: p.MedicationDispenser, SourceID: p.SourceID,
			PRN: prnOf(p.SourceID, p.PRN)}
		for j, m := range p.PRN {
			if strings.TrimSpace(m.SourceID) == "" {
				rv.bad(p, fmt.Sprintf("prn[%d].source_id", j), key(care.KeyRequired, fmt.Sprintf("prn[%d].source_id", j)), "is required")
			}
		}
		rv.invalid(p, cp.ValidateRow())
		// Moving a patient between units takes both: the one it leaves
		// loses the person card from its phones.
		if dir.Scope != nil {
			if old, found := lookup(rv.ctx, rv.st.Patient, cp.ID, &rv.failed); found && !dir.writable(old.UnitID) {
				rv.claimed(p, "source_id", key(keyClaimed, p.SourceID), "%q is the source id of a patient of a unit that is not yours", p.SourceID)
			}
		}
		rv.patients[p.SourceID] = cp
		rv.out.Patients = append(rv.out.Patients, cp)
	}
}

// patientFor finds the patient an item names, in this plan or stored.
func (rv *resolver) patientFor(item any, sourceID string) (care.Patient, bool) {
	if p, ok := rv.patients[sourceID]; ok {
		return p, true // its unit is checked with the patient
	}
	p, found := lookup(rv.ctx, rv.st.Patient, IDFor("patient", sourceID), &rv.failed)
	switch {
	case !found:
		rv.bad(item, "patient_source_id", key(care.KeyUnknown, "patient_source_id", sourceID), "no patient %q in this plan or stored before", sourceID)
		return care.Patient{}, false
	case !rv.dir.writable(p.UnitID):
		rv.bad(item, "patient_source_id", key(keyPatientNotYours, sourceID), "%q is a patient of a unit that is not yours", sourceID)
		return care.Patient{}, false
	}
	return p, true
}

func (rv *resolver) resolveVisits() {
	for i := range rv.pl.Visits {
		v := &rv.pl.Visits[i]
		if rv.tooLong(v, care.CheckLength("patient_source_id", v.PatientSourceID, care.MaxIDBytes),
			care.CheckLength("worker", v.Worker, care.MaxUsernameBytes),
			care.Visit{SourceID: v.SourceID, Tasks: v.Tasks}.CheckLimits()) {
			continue
		}
		if strings.TrimSpace(v.SourceID) == "" {
			rv.bad(v, "source_id", key(care.KeyRequired, "source_id"), "is required")
			continue
		}
		if rv.visits[v.SourceID].ID != "" {
			rv.bad(v, "source_id", key(keyTwice, v.SourceID), "%q appears twice", v.SourceID)
			continue
		}
		p, ok := rv.patientFor(v, v.PatientSourceID)
		acct, known := rv.users[auth.NormalizeUsername(v.Worker)]
		switch {
		case !known:
			rv.bad(v, "worker", key(care.KeyUnknown, "worker", v.Worker), "no user %q", v.Worker)
		case !acct.Role.WorksShifts():
			rv.bad(v, "worker", key(keyNotWorker, v.Worker), "%q is a %s, not a worker or nurse", v.Worker, acct.Role)
		case ok && !slices.Contains(acct.Units, p.UnitID):
			rv.bad(v, "worker", key(keyWorkerUnit, v.Worker), "%q does not work in the patient's unit", v.Worker)
		}
		cv := care.Visit{ID: IDFor("visit", v.SourceID), PatientID: p.ID, WorkerID: acct.ID, UnitID: p.UnitID,
			Start: v.Start.UTC(), DurationMinutes: v.DurationMinutes, Tasks: v.Tasks, SourceID: v.SourceID}
		rv.invalid(v, care.Visit{Start: v.Start, DurationMinutes: v.DurationMinutes}.ValidateRow())
		if rv.dir.Scope != nil {
			if old, found := lookup(rv.ctx, rv.st.Visit, cv.ID, &rv.failed); found && !rv.dir.writable(old.UnitID) {
				rv.claimed(v, "source_id", key(keyClaimed, v.SourceID), "%q is the source id of a visit of a unit that is not yours", v.SourceID)
			}
		}
		rv.visits[v.SourceID] = cv
		rv.out.Visits = append(rv.out.Visits, cv)
	}
}

func (rv *resolver) resolveDoses() {
	seen := map[string]bool{}
	for i := range rv.pl.Medications {
		d := &rv.pl.Medications[i]
		if rv.tooLong(d, care.CheckLength("patient_source_id", d.PatientSourceID, care.MaxIDBytes),
			care.CheckLength("visit_source_id", d.VisitSourceID, care.MaxIDBytes),
			care.ScheduledDose{Medication: d.Medication, Dose: d.Dose, Route: d.Route, SourceID: d.SourceID}.CheckLimits()) {
			continue
		}
		if strings.TrimSpace(d.SourceID) == "" {
			rv.bad(d, "source_id", key(care.KeyRequired, "source_id"), "is required")
			continue
		}
		if seen[d.SourceID] {
			rv.bad(d, "source_id", key(keyTwice, d.SourceID), "%q appears twice", d.SourceID)
			continue
		}
		seen[d.SourceID] = true
		p, _ := rv.patientFor(d, d.PatientSourceID)
		visitID := ""
		if d.VisitSourceID != "" {
			v, ok := rv.visits[d.VisitSourceID]
			switch {
			case !ok:
				rv.bad(d, "visit_source_id", key(care.KeyUnknown, "visit_source_id", d.VisitSourceID), "no visit %q in this plan", d.VisitSourceID)
			case v.PatientID != p.ID:
				rv.bad(d, "visit_source_id", key(keyVisitOtherPatient, d.VisitSourceID), "visit %q is another patient's", d.VisitSourceID)
			}
			visitID = v.ID
		}
		cd := care.ScheduledDose{ID: IDFor("dose", d.SourceID), PatientID: p.ID, VisitID: visitID,
			Medication: d.Medication, Dose: d.Dose, Route: d.Route, Due: d.Due.UTC(), DoubleCheck: d.DoubleCheck,
			Controlled: d.Controlled, WindowMinutes: d.WindowMinutes, SourceID: d.SourceID}
		rv.invalid(d, care.ScheduledDose{Medication: d.Medication, Dose: d.Dose, Due: d.Due, WindowMinutes: d.WindowMinutes}.ValidateRow())
		if rv.dir.Scope != nil {
			// A stored dose belongs to its patient's unit; a dose whose
			// patient is gone cannot be placed and is left alone.
			if old, found := lookup(rv.ctx, rv.st.Dose, cd.ID, &rv.failed); found {
				if owner, known := lookup(rv.ctx, rv.st.Patient, old.PatientID, &rv.failed); !known || !rv.dir.writable(owner.UnitID) {
					rv.claimed(d, "source_id", key(keyClaimed, d.SourceID), "%q is the source id of a dose of a unit that is not yours", d.SourceID)
				}
			}
		}
		rv.out.Doses = append(rv.out.Doses, cd)
	}
}

// resolveRoutines checks each routine by the rules the office editor
// applies (care.Routine.Validate), tidied as the editor tidies it.
func (rv *resolver) resolveRoutines() {
	dir := rv.dir
	for i := range rv.pl.Routines {
		r := &rv.pl.Routines[i]
		if rv.tooLong(r, care.CheckLength("id", r.ID, care.MaxIDBytes)) {
			continue
		}
		if r.ID == "" {
			rv.bad(r, "id", key(care.KeyRequired, "id"), "is required")
		} else if !care.IsUUID(r.ID) {
			r.ID = IDFor("routine", r.ID) // a source id
		}
		r.Tidy()
		if rv.invalid(r, r.Validate()) {
			continue
		}
		if dir.Scope != nil {
			for _, u := range r.Units {
				if !dir.writable(u) {
					rv.bad(r, "units", key(keyUnitNotYours, u), "unit %q is not one of yours", u)
				}
			}
			if len(r.Units) == 0 {
				r.Units = slices.Clone(dir.Scope) // as for a routine written in the office
			}
			if r.ID != "" {
				// A stored routine without units is every unit's.
				old, found := lookup(rv.ctx, rv.st.Routine, r.ID, &rv.failed)
				if found && (len(old.Units) == 0 || slices.ContainsFunc(old.Units, func(u string) bool { return !dir.writable(u) })) {
					rv.claimed(r, "id", key(keyRoutineClaimed, old.Title), "routine %q is also for units that are not yours", old.Title)
				}
			}
		}
		rv.out.Routines = append(rv.out.Routines, *r)
	}
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
		rep.Problems = append(rep.Problems, Problem{Column: "source_id", claim: true, Key: keyChanged, Args: []string{scope.Name},
			Problem: fmt.Sprintf("%s %q became another unit's while the plan was checked (another import)", scope.What, scope.Name)})
		return rep, nil
	} else if err != nil {
		return rep, fmt.Errorf("import plan: %w", err)
	}
	rep.Stored = true
	return rep, nil
}
