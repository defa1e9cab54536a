package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// The office's bulk jobs. A job's status, owner and lease are columns,
// authoritative over what its sealed data says: the lease is taken by a
// compare-and-set on them in one UPDATE, which PostgreSQL applies to the
// row as it stands after any concurrent change (under READ COMMITTED it
// re-reads a row another transaction changed and checks the condition
// again), so two nodes claiming at once cannot both succeed.

const tJobs = "reconcile_jobs"

// jobRow is a job as read: its data, then the columns over it.
func (db *DB) jobRow(id string, status, owner string, lease *int64, data []byte) (store.ReconcileJob, error) {
	var j store.ReconcileJob
	if err := db.seal.openJSON(tJobs, id, data, &j); err != nil {
		return j, err
	}
	j.Status, j.Owner, j.LeaseUntil = status, owner, time.Time{}
	if lease != nil {
		j.LeaseUntil = time.Unix(0, *lease).UTC()
	}
	return j, nil
}

// CreateReconcileJob stores a new running job, with no owner, and its
// audit entry; an id used before is ErrJobExists.
func (db *DB) CreateReconcileJob(ctx context.Context, j store.ReconcileJob, a store.Audit) error {
	j.Status, j.Owner, j.LeaseUntil = store.JobRunning, "", time.Time{}
	data, err := db.seal.sealJSON(tJobs, j.ID, j)
	if err != nil {
		return fmt.Errorf("create reconcile job: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO reconcile_jobs (id, status, created_ns, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, j.ID, j.Status, ns(j.Created), data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("job %s: %w", j.ID, store.ErrJobExists)
		}
		return db.appendAudit(ctx, tx, j.Created, a)
	})
	if err != nil {
		return fmt.Errorf("create reconcile job: %w", err)
	}
	return nil
}

const jobColumns = `id, status, owner, lease_until_ns, data`

func (db *DB) scanJob(row pgx.Row) (store.ReconcileJob, error) {
	var id, status, owner string
	var lease *int64
	var data []byte
	if err := row.Scan(&id, &status, &owner, &lease, &data); err != nil {
		return store.ReconcileJob{}, err
	}
	return db.jobRow(id, status, owner, lease, data)
}

// ReconcileJob returns one job.
func (db *DB) ReconcileJob(ctx context.Context, id string) (store.ReconcileJob, error) {
	j, err := db.scanJob(db.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM reconcile_jobs WHERE id = $1`, id))
	if err := noRows(db.mapErr(err), "job", id); err != nil {
		return store.ReconcileJob{}, err
	}
	return j, nil
}

// ReconcileJobs returns the jobs, newest first.
func (db *DB) ReconcileJobs(ctx context.Context, runningOnly bool) ([]store.ReconcileJob, error) {
	q := `SELECT ` + jobColumns + ` FROM reconcile_jobs`
	if runningOnly {
		q += ` WHERE status = 'running'`
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_ns DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("reconcile jobs: %w", db.mapErr(err))
	}
	defer rows.Close()
	var out []store.ReconcileJob
	for rows.Next() {
		j, err := db.scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("reconcile jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reconcile jobs: %w", db.mapErr(err))
	}
	return out, nil
}

// ClaimReconcileJob gives owner the lease of a running job until until,
// when nobody holds it, its lease ended before now, or owner holds it.
func (db *DB) ClaimReconcileJob(ctx context.Context, id, owner string, now, until time.Time) (store.ReconcileJob, error) {
	j, err := db.scanJob(db.pool.QueryRow(ctx, `UPDATE reconcile_jobs SET owner = $2, lease_until_ns = $4
		WHERE id = $1 AND status = 'running' AND (owner = '' OR owner = $2 OR lease_until_ns IS NULL OR lease_until_ns < $3)
		RETURNING `+jobColumns, id, owner, ns(now), ns(until)))
	if err == nil {
		return j, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: %w", db.mapErr(err))
	}
	// Not claimed: say why, from the job as it is now.
	var status string
	err = db.queryRow(ctx, `SELECT status FROM reconcile_jobs WHERE id = $1`, []any{id}, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: %w", notFound("job", id))
	case err != nil:
		return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: %w", err)
	case status != store.JobRunning:
		return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: job %s is %s: %w", id, status, store.ErrJobFinished)
	}
	return store.ReconcileJob{}, fmt.Errorf("claim reconcile job: job %s: %w", id, store.ErrLeaseHeld)
}

// SaveReconcileJob writes a running job's progress and renews owner's
// lease, provided owner still holds it (the job's row is locked while
// it is checked and written, with the audit entries given).
func (db *DB) SaveReconcileJob(ctx context.Context, j store.ReconcileJob, owner string, until time.Time, audit ...store.Audit) error {
	if j.Status != store.JobRunning && j.Status != store.JobDone && j.Status != store.JobFailed {
		return fmt.Errorf("save reconcile job %s: unknown status %q", j.ID, j.Status)
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		old, err := db.scanJob(tx.QueryRow(ctx, `SELECT `+jobColumns+` FROM reconcile_jobs WHERE id = $1 FOR UPDATE`, j.ID))
		if err := noRows(err, "job", j.ID); err != nil {
			return err
		}
		next, err := store.SavedJob(old, j, owner, until)
		if err != nil {
			return err
		}
		lease := nsOrNull(next.LeaseUntil)
		if next.Status != store.JobRunning {
			lease = nil
		}
		data, err := db.seal.sealJSON(tJobs, j.ID, next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE reconcile_jobs SET status = $2, owner = $3, lease_until_ns = $4, data = $5 WHERE id = $1`,
			j.ID, next.Status, next.Owner, lease, data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, j.Updated, audit...)
	})
	if err != nil {
		return fmt.Errorf("save reconcile job: %w", err)
	}
	return nil
}

// ReleaseReconcileJob gives up owner's lease; a lease owner does not
// hold is left as it is.
func (db *DB) ReleaseReconcileJob(ctx context.Context, id, owner string) error {
	tag, err := db.exec(ctx, `UPDATE reconcile_jobs SET owner = '', lease_until_ns = NULL WHERE id = $1 AND owner = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("release reconcile job: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reconcile_jobs WHERE id = $1)`, []any{id}, &exists); err != nil {
			return fmt.Errorf("release reconcile job: %w", err)
		}
		if !exists {
			return fmt.Errorf("release reconcile job: %w", notFound("job", id))
		}
	}
	return nil
}
