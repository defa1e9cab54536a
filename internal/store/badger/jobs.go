package badger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// The office's bulk jobs: "rjob/<id>" holds a job, "rjobrun/<id>" marks
// it running, so that a start finds the jobs to carry on without reading
// the finished ones. The lease is a compare-and-set inside one
// transaction: Badger aborts (and update retries) a transaction whose
// read of the job another one changed before it committed.

func jobKey(id string) string        { return "rjob/" + id }
func runningJobKey(id string) string { return "rjobrun/" + id }

// CreateReconcileJob stores a new running job with its audit entry.
func (db *DB) CreateReconcileJob(ctx context.Context, j store.ReconcileJob, a store.Audit) error {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		if taken, err := exists(txn, jobKey(j.ID)); err != nil {
			return err
		} else if taken {
			return fmt.Errorf("job %s: %w", j.ID, store.ErrJobExists)
		}
		j.Status, j.Owner, j.LeaseUntil = store.JobRunning, "", time.Time{}
		if err := putJSON(txn, jobKey(j.ID), j); err != nil {
			return err
		}
		if err := setIndex(txn, runningJobKey(j.ID)); err != nil {
			return err
		}
		return appendAudit(txn, j.Created, a)
	})
	if err != nil {
		return fmt.Errorf("create reconcile job: %w", err)
	}
	return nil
}

// ReconcileJob returns one job.
func (db *DB) ReconcileJob(ctx context.Context, id string) (store.ReconcileJob, error) {
	var j store.ReconcileJob
	err := db.view(ctx, func(txn *badger.Txn) error { return getJSON(txn, jobKey(id), &j) })
	return j, err
}

// ReconcileJobs returns the jobs, newest first.
func (db *DB) ReconcileJobs(ctx context.Context, runningOnly bool) ([]store.ReconcileJob, error) {
	var out []store.ReconcileJob
	err := db.view(ctx, func(txn *badger.Txn) error {
		if !runningOnly {
			var err error
			out, err = scanJSON[store.ReconcileJob](txn, "rjob/")
			return err
		}
		for _, id := range scanKeys(txn, "rjobrun/", "", "") {
			var j store.ReconcileJob
			if err := getJSON(txn, jobKey(id), &j); err != nil {
				return err
			}
			out = append(out, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reconcile jobs: %w", err)
	}
	slices.SortStableFunc(out, func(a, b store.ReconcileJob) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// ClaimReconcileJob takes a job's lease for owner when it is free.
func (db *DB) ClaimReconcileJob(ctx context.Context, id, owner string, now, until time.Time) (store.ReconcileJob, error) {
	var j store.ReconcileJob
	err := db.update(ctx, func(txn *badger.Txn) error {
		if err := getJSON(txn, jobKey(id), &j); err != nil {
			return err
		}
		switch {
		case j.Status != store.JobRunning:
			return fmt.Errorf("job %s is %s: %w", id, j.Status, store.ErrJobFinished)
		case j.Owner != "" && j.Owner != owner && !j.LeaseUntil.Before(now):
			return fmt.Errorf("job %s: %w", id, store.ErrLeaseHeld)
		}
		j.Owner, j.LeaseUntil = owner, until.UTC()
		return putJSON(txn, jobKey(id), j)
	})
	if err != nil {
		return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: %w", err)
	}
	return j, nil
}

// SaveReconcileJob writes a job's progress while owner holds its lease.
func (db *DB) SaveReconcileJob(ctx context.Context, j store.ReconcileJob, owner string, until time.Time, audit ...store.Audit) error {
	if j.Status != store.JobRunning && j.Status != store.JobDone && j.Status != store.JobFailed {
		return fmt.Errorf("save reconcile job %s: unknown status %q", j.ID, j.Status)
	}
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	err := db.update(ctx, func(txn *badger.Txn) error {
		var old store.ReconcileJob
		if err := getJSON(txn, jobKey(j.ID), &old); err != nil {
			return err
		}
		next, err := store.SavedJob(old, j, owner, until)
		if err != nil {
			return err
		}
		if next.Status != store.JobRunning {
			if err := txn.Delete([]byte(runningJobKey(j.ID))); err != nil {
				return err
			}
		}
		if err := putJSON(txn, jobKey(j.ID), next); err != nil {
			return err
		}
		return appendAudit(txn, j.Updated, audit...)
	})
	if err != nil {
		return fmt.Errorf("save reconcile job: %w", err)
	}
	return nil
}

// ReleaseReconcileJob gives up owner's lease of a job.
func (db *DB) ReleaseReconcileJob(ctx context.Context, id, owner string) error {
	err := db.update(ctx, func(txn *badger.Txn) error {
		var j store.ReconcileJob
		if err := getJSON(txn, jobKey(id), &j); err != nil {
			return err
		}
		if j.Owner != owner {
			return nil
		}
		j.Owner, j.LeaseUntil = "", time.Time{}
		return putJSON(txn, jobKey(id), j)
	})
	if err != nil {
		return fmt.Errorf("release reconcile job: %w", err)
	}
	return nil
}
