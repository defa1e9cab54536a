package badger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

func unitKey(id string) string    { return "unit/" + id }
func patientKey(id string) string { return "patient/" + id }
func unitPatientKey(unit, id string) string {
	return "unitpatient/" + unit + "/" + id
}
func visitKey(id string) string { return "visit/" + id }
func unitVisitKey(v care.Visit) string {
	return "unitvisit/" + v.UnitID + "/" + sortableTime(v.Start) + "/" + v.ID
}
func doseKey(id string) string { return "dose/" + id }
func patientDoseKey(d care.ScheduledDose) string {
	return "patientdose/" + d.PatientID + "/" + sortableTime(d.Due) + "/" + d.ID
}
func routineKey(id string) string { return "routine/" + id }
func announcementKey(a care.Announcement) string {
	return "announcement/" + sortableTime(a.Posted) + "/" + a.ID
}

// oneTxnItems is the most patients, visits and doses for which ApplyPlan
// tries one transaction first: with three keys or so per item and a few
// hundred bytes each, more never fit Badger's default limit.
const oneTxnItems = 20_000

// ApplyPlan upserts the whole plan: either all of it is stored or none.
// A plan that fits one Badger transaction is stored in one; a larger one
// (Badger refuses a transaction above 15 % of its memtable, about 9.6 MB
// or 100,000 keys with the default options) is staged and committed by
// one marker (see applyStaged). Plans are applied one at a time.
func (db *DB) ApplyPlan(ctx context.Context, p store.Plan) error {
	db.planMu.Lock()
	defer db.planMu.Unlock()
	// A staged plan that a failure left committed but not yet applied
	// comes first: it was answered as stored.
	if err := db.finishStagedPlans(ctx); err != nil {
		return fmt.Errorf("apply plan: %w", err)
	}
	err := badger.ErrTxnTooBig
	if len(p.Patients)+len(p.Visits)+len(p.Doses) <= oneTxnItems {
		err = db.update(ctx, func(txn *badger.Txn) error {
			if p.Scope != nil {
				// Read in the transaction: an import that writes any of these
				// items before this one commits makes it conflict and check again.
				if err := checkScope(txn, p); err != nil {
					return err
				}
			}
			return writePlan(txnWriter{txn}, p)
		})
	}
	if errors.Is(err, badger.ErrTxnTooBig) {
		err = db.applyStaged(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("apply plan: %w", err)
	}
	return nil
}

// writePlan writes every item of the plan through w.
func writePlan(w planWriter, p store.Plan) error {
	for _, u := range p.Units {
		if err := w.put(unitKey(u.ID), u); err != nil {
			return err
		}
	}
	for _, pt := range p.Patients {
		if err := putPatient(w, pt); err != nil {
			return err
		}
	}
	for _, v := range p.Visits {
		if err := putVisit(w, v); err != nil {
			return err
		}
	}
	for _, d := range p.Doses {
		if err := putDose(w, d); err != nil {
			return err
		}
	}
	for _, r := range p.Routines {
		if err := w.put(routineKey(r.ID), r); err != nil {
			return err
		}
	}
	for _, a := range p.Announcements {
		if err := w.put(announcementKey(a), a); err != nil {
			return err
		}
	}
	return nil
}

func putPatient(w planWriter, p care.Patient) error {
	if p.ID == "" || p.UnitID == "" {
		return errors.New("patient needs an id and a unit")
	}
	var old care.Patient
	if err := w.get(patientKey(p.ID), &old); err == nil && old.UnitID != p.UnitID {
		if err := w.del(unitPatientKey(old.UnitID, old.ID)); err != nil {
			return err
		}
	}
	if err := w.put(patientKey(p.ID), p); err != nil {
		return err
	}
	return w.index(unitPatientKey(p.UnitID, p.ID))
}

func putVisit(w planWriter, v care.Visit) error {
	if v.ID == "" || v.UnitID == "" || v.PatientID == "" {
		return errors.New("visit needs an id, a unit and a patient")
	}
	var old care.Visit
	if err := w.get(visitKey(v.ID), &old); err == nil && unitVisitKey(old) != unitVisitKey(v) {
		if err := w.del(unitVisitKey(old)); err != nil {
			return err
		}
	}
	if err := w.put(visitKey(v.ID), v); err != nil {
		return err
	}
	return w.index(unitVisitKey(v))
}

func putDose(w planWriter, d care.ScheduledDose) error {
	if d.ID == "" || d.PatientID == "" {
		return errors.New("dose needs an id and a patient")
	}
	var old care.ScheduledDose
	if err := w.get(doseKey(d.ID), &old); err == nil && patientDoseKey(old) != patientDoseKey(d) {
		if err := w.del(patientDoseKey(old)); err != nil {
			return err
		}
	}
	if err := w.put(doseKey(d.ID), d); err != nil {
		return err
	}
	return w.index(patientDoseKey(d))
}

// Units lists every unit.
func (db *DB) Units(ctx context.Context) ([]care.Unit, error) {
	var out []care.Unit
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[care.Unit](txn, "unit/")
		return err
	})
	return out, err
}

// Patient returns the person card with the id.
func (db *DB) Patient(ctx context.Context, id string) (care.Patient, error) {
	var p care.Patient
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, patientKey(id), &p) })
	return p, err
}

// PatientsByUnit lists the patients of a unit.
func (db *DB) PatientsByUnit(ctx context.Context, unit string) ([]care.Patient, error) {
	var out []care.Patient
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "unitpatient/"+unit+"/", "", "") {
			var p care.Patient
			if err := getJSON(txn, patientKey(id), &p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Visit returns the visit with the id.
func (db *DB) Visit(ctx context.Context, id string) (care.Visit, error) {
	var v care.Visit
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, visitKey(id), &v) })
	return v, err
}

// VisitsByUnit lists a unit's visits that start in [from, to), in time order.
func (db *DB) VisitsByUnit(ctx context.Context, unit string, from, to time.Time) ([]care.Visit, error) {
	var out []care.Visit
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "unitvisit/"+unit+"/", sortableTime(from), sortableTime(to)) {
			var v care.Visit
			if err := getJSON(txn, visitKey(id), &v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// DosesByPatient lists a patient's doses due in [from, to), in time order.
func (db *DB) DosesByPatient(ctx context.Context, patient string, from, to time.Time) ([]care.ScheduledDose, error) {
	var out []care.ScheduledDose
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range scanKeys(txn, "patientdose/"+patient+"/", sortableTime(from), sortableTime(to)) {
			var d care.ScheduledDose
			if err := getJSON(txn, doseKey(id), &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Dose returns the scheduled dose with the id.
func (db *DB) Dose(ctx context.Context, id string) (care.ScheduledDose, error) {
	var d care.ScheduledDose
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, doseKey(id), &d) })
	return d, err
}

// Routines lists every emergency routine.
func (db *DB) Routines(ctx context.Context) ([]care.Routine, error) {
	var out []care.Routine
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[care.Routine](txn, "routine/")
		return err
	})
	return out, err
}

// Announcements lists announcements posted at or after since, oldest first.
func (db *DB) Announcements(ctx context.Context, since time.Time) ([]care.Announcement, error) {
	var out []care.Announcement
	err := db.view(ctx, func(txn *badger.Txn) error {
		all, err := scanJSON[care.Announcement](txn, "announcement/")
		for _, a := range all {
			if !a.Posted.Before(since) {
				out = append(out, a)
			}
		}
		return err
	})
	return out, err
}

// Initialized reports whether the store has been set up, with demo data or
// empty.
func (db *DB) Initialized(ctx context.Context) (bool, error) {
	var ok bool
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		ok, err = exists(txn, "meta/initialized")
		return err
	})
	return ok, err
}

// DemoMode reports whether the store was set up with demo data.
func (db *DB) DemoMode(ctx context.Context) (bool, error) {
	var demo bool
	err := db.view(ctx, func(txn *badger.Txn) error {
		err := getJSON(txn, "meta/demo", &demo)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	return demo, err
}

// MarkInitialized records that the store has been set up, and whether with
// demo data: a demo store keeps getting today's demo visits.
func (db *DB) MarkInitialized(ctx context.Context, demo bool) error {
	return db.update(ctx, func(txn *badger.Txn) error {
		if err := putJSON(txn, "meta/demo", demo); err != nil {
			return err
		}
		return putJSON(txn, "meta/initialized", time.Now().UTC())
	})
}

// checkScope refuses a plan that overwrites a patient, visit, dose or
// routine stored for a unit outside p.Scope, or that hangs a visit or
// dose on a stored patient of such a unit.
func checkScope(txn *badger.Txn, p store.Plan) error {
	in := func(unit string) bool { return slices.Contains(p.Scope, unit) }
	inPlan := map[string]bool{}
	for _, pt := range p.Patients {
		inPlan[pt.ID] = true
	}
	// stored reads a stored item; a missing one is nobody's.
	stored := func(key string, v any) (bool, error) {
		err := getJSON(txn, key, v)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	patientOutside := func(id string) (bool, error) {
		var old care.Patient
		found, err := stored(patientKey(id), &old)
		return found && !in(old.UnitID), err
	}
	for _, pt := range p.Patients {
		if out, err := patientOutside(pt.ID); err != nil || out {
			return scopeError(err, "patient", pt.SourceID)
		}
	}
	for _, v := range p.Visits {
		var old care.Visit
		found, err := stored(visitKey(v.ID), &old)
		if err != nil || (found && !in(old.UnitID)) {
			return scopeError(err, "visit", v.SourceID)
		}
		if !inPlan[v.PatientID] {
			// The visit takes its unit from its patient as read before:
			// a patient moved since, even between the importer's own
			// units, would leave the visit in the wrong unit's lists.
			var pt care.Patient
			found, err := stored(patientKey(v.PatientID), &pt)
			if err != nil || (found && (!in(pt.UnitID) || pt.UnitID != v.UnitID)) {
				return scopeError(err, "visit", v.SourceID)
			}
		}
	}
	for _, d := range p.Doses {
		var old care.ScheduledDose
		found, err := stored(doseKey(d.ID), &old)
		if err != nil {
			return scopeError(err, "dose", d.SourceID)
		}
		if found {
			var owner care.Patient
			known, err := stored(patientKey(old.PatientID), &owner)
			if err != nil || !known || !in(owner.UnitID) {
				return scopeError(err, "dose", d.SourceID)
			}
		}
		if !inPlan[d.PatientID] {
			if out, err := patientOutside(d.PatientID); err != nil || out {
				return scopeError(err, "dose", d.SourceID)
			}
		}
	}
	for _, r := range p.Routines {
		var old care.Routine
		found, err := stored(routineKey(r.ID), &old)
		if err != nil || (found && (len(old.Units) == 0 || slices.ContainsFunc(old.Units, func(u string) bool { return !in(u) }))) {
			return scopeError(err, "routine", r.Title)
		}
	}
	return nil
}

func scopeError(err error, what, name string) error {
	if err != nil {
		return err
	}
	return &store.ScopeError{What: what, Name: name}
}
