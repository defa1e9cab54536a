package store

import (
	"fmt"
	"time"
)

// Rules every store applies the same way, kept here so that Badger and
// PostgreSQL cannot drift apart.

// Reconciled returns r as rc leaves it (its state, who and when, the
// record-system reference or the void reason) and the audit entry's
// detail. r must be new (callers check: ErrAlreadyReconciled).
func Reconciled(r StoredRecord, rc Reconciliation) (StoredRecord, string) {
	r.State, r.ReconciledBy, r.ReconciledAt = rc.Action, rc.By, rc.At.UTC()
	detail := "action=" + rc.Action
	if rc.Action == ActionEntered {
		r.EHRRef, r.EnteredBy = rc.EHRRef, rc.EnteredBy
		detail += fmt.Sprintf(" ehr_ref=%q entered_by=%s", rc.EHRRef, rc.EnteredBy)
	} else {
		r.VoidReason = rc.Reason
		detail += fmt.Sprintf(" reason=%q", rc.Reason)
	}
	return r, detail
}

// SavedJob is the job old becomes when owner saves j's progress with its
// lease renewed until until (SaveReconcileJob): ErrJobFinished when old
// no longer runs, ErrLeaseLost when owner does not hold it. The fields
// SaveReconcileJob keeps are old's; a job that ends has no owner, lease
// or chunk.
func SavedJob(old, j ReconcileJob, owner string, until time.Time) (ReconcileJob, error) {
	switch {
	case old.Status != JobRunning:
		return ReconcileJob{}, fmt.Errorf("job %s is %s: %w", j.ID, old.Status, ErrJobFinished)
	case old.Owner != owner:
		return ReconcileJob{}, fmt.Errorf("job %s: %w", j.ID, ErrLeaseLost)
	}
	next := old
	next.Status, next.Failure, next.FailureKey, next.Finished = j.Status, j.Failure, j.FailureKey, j.Finished.UTC()
	next.Done, next.Skipped, next.Held = j.Done, j.Skipped, j.Held
	next.Cursor, next.Walked, next.Chunk, next.Updated = j.Cursor, j.Walked, j.Chunk, j.Updated.UTC()
	next.LeaseUntil = until.UTC()
	if next.Status != JobRunning {
		next.Owner, next.LeaseUntil, next.Chunk = "", time.Time{}, nil
	}
	return next, nil
}
