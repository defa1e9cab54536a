// Package bulk runs the office's bulk jobs: "mark all that match as
// entered" (store.ReconcileJob). A job walks the records its filter
// selects in chunks and gives each chunk to the store's Reconcile, all
// or nothing, with an audit entry per record. It saves its place before
// and after each chunk, so that a server that stops (or is killed) at any
// point carries the job on at its next start without marking a record
// twice or leaving one out, and it runs a job only while it holds the
// job's lease, so that with several servers over one store one of them
// runs it.
package bulk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// Store is what the runner needs: the records, the starter's account
// (to check they still reconcile, and which units) and the jobs.
type Store interface {
	ListRecords(ctx context.Context, f store.RecordFilter) ([]store.StoredRecord, string, error)
	StoredRecordByID(ctx context.Context, id string) (store.StoredRecord, error)
	Reconcile(ctx context.Context, ids []string, rc store.Reconciliation) ([]store.StoredRecord, error)
	Account(ctx context.Context, id string) (store.Account, error)
	store.ReconcileJobs
}

// Defaults of Options.
const (
	DefaultChunk = 500
	DefaultLease = time.Minute
	DefaultPoll  = 15 * time.Second
)

// The catalogue keys of why a job failed (store.ReconcileJob.FailureKey).
const (
	FailureStarter = "bulk.failure.starter" // the starter may no longer reconcile
	FailureUnits   = "bulk.failure.units"   // none of the job's units is the starter's any longer
	FailureCursor  = "bulk.failure.cursor"  // the store no longer knows where the job was
)

// Options configure a Runner; zero values take the defaults.
type Options struct {
	// Owner names this server in the jobs' leases; empty is a random
	// name, new at each start (a lease a crashed server held then
	// expires after Lease).
	Owner string
	// Chunk is how many records one Reconcile marks (all or nothing).
	Chunk int
	// Lease is how long a job stays this server's after each save.
	Lease time.Duration
	// Poll is how often the runner looks for jobs it was not woken for:
	// one whose server stopped without giving it up, one that failed on
	// an error that may pass (a full disk).
	Poll   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Runner runs the jobs of one server.
type Runner struct {
	db    Store
	owner string
	chunk int
	lease time.Duration
	poll  time.Duration
	now   func() time.Time
	log   *slog.Logger
	wake  chan struct{}
}

// New makes a runner over the store.
func New(db Store, o Options) *Runner {
	r := &Runner{db: db, owner: o.Owner, chunk: o.Chunk, lease: o.Lease, poll: o.Poll, now: o.Now, log: o.Logger, wake: make(chan struct{}, 1)}
	if r.owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b) // crypto/rand does not fail
		r.owner = "node-" + hex.EncodeToString(b)
	}
	if r.chunk <= 0 || r.chunk > 1000 {
		r.chunk = DefaultChunk
	}
	if r.lease <= 0 {
		r.lease = DefaultLease
	}
	if r.poll <= 0 {
		r.poll = DefaultPoll
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// Owner is the name this runner holds leases under.
func (r *Runner) Owner() string { return r.owner }

// Wake asks the runner to look for jobs now: one was just started.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default: // already asked
	}
}

// Run runs jobs until ctx ends: those running when it starts (a restart
// carries them on), those started later, those another server gave up.
// It returns once the step in progress has ended and the lease of the job
// it was running is given up, so that the store can be closed after it.
func (r *Runner) Run(ctx context.Context) {
	for {
		if err := r.RunPending(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("bulk job", "err", err)
		}
		timer := time.NewTimer(r.poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-r.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// RunPending runs every running job it can take, oldest first, each
// until it is finished or ctx ends. A job another server holds is left to
// it; a job that met an error that may pass stays running, to be tried
// at the next poll.
func (r *Runner) RunPending(ctx context.Context) error {
	jobs, err := r.db.ReconcileJobs(ctx, true)
	if err != nil {
		return fmt.Errorf("bulk: list jobs: %w", err)
	}
	var errs []error
	for _, j := range slices.Backward(jobs) {
		err := r.runJob(ctx, j.ID)
		switch {
		case err == nil, errors.Is(err, store.ErrLeaseHeld), errors.Is(err, store.ErrLeaseLost), errors.Is(err, store.ErrJobFinished):
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			errs = append(errs, fmt.Errorf("bulk: job %s: %w", j.ID, err))
		}
	}
	return errors.Join(errs...)
}

// runJob takes a job's lease and works it until it is finished.
func (r *Runner) runJob(ctx context.Context, id string) error {
	now := r.now()
	j, err := r.db.ClaimReconcileJob(ctx, id, r.owner, now, now.Add(r.lease))
	if err != nil {
		return err
	}
	defer func() {
		// Give the lease up so that the next start takes the job at once;
		// a crash skips this, and the lease then runs out by itself.
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := r.db.ReleaseReconcileJob(c, id, r.owner); err != nil {
			r.log.Warn("bulk job: give up the lease", "job", id, "err", err)
		}
	}()
	r.log.Info("bulk job", "job", id, "done", j.Done, "resumed", j.Cursor != "" || j.Chunk != nil)
	resumed := j.Chunk != nil
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Checked at every step: a starter disabled or moved mid-job
		// stops it, even before a chunk saved earlier is marked.
		units, why, err := r.scope(ctx, j)
		if err != nil {
			return err
		}
		if why != "" {
			return r.finish(ctx, &j, store.JobFailed, why, failureText[why])
		}
		if j.Chunk != nil {
			if err := r.markChunk(ctx, &j, units, resumed); err != nil {
				return err
			}
			resumed = false
			continue
		}
		if j.Walked {
			return r.finish(ctx, &j, store.JobDone, "", "")
		}
		f := j.Filter
		f.Units, f.Cursor, f.Limit = units, j.Cursor, r.chunk
		// A drill's records are never entered, whatever a job stored
		// before drills existed says.
		f.Drill = store.DrillNone
		page, next, err := r.db.ListRecords(ctx, f)
		if errors.Is(err, store.ErrBadCursor) {
			return r.finish(ctx, &j, store.JobFailed, FailureCursor, failureText[FailureCursor])
		}
		if err != nil {
			return fmt.Errorf("list records: %w", err)
		}
		var ids []string
		for _, rec := range page {
			switch {
			case rec.Received.After(j.UpTo), rec.State != store.StateNew:
				// Came in after the job was started; or not new (the
				// filter asks for new ones: a store that lists others).
			case rec.Quarantined:
				j.Held++ // from a revoked phone: reviewed one by one
			case units != nil && !slices.Contains(units, rec.UnitID):
				// Not the starter's: the filter keeps these out too.
			default:
				ids = append(ids, rec.ID)
			}
		}
		j.Cursor, j.Walked = next, next == ""
		if len(ids) > 0 {
			// Stored times are kept to the microsecond (PostgreSQL's
			// precision): At must read back equal to tell this chunk's
			// reconciliations.
			j.Chunk = &store.JobChunk{IDs: ids, At: r.now().UTC().Truncate(time.Microsecond)}
		}
		if err := r.save(ctx, &j); err != nil {
			return err
		}
		if j.Chunk != nil {
			if err := r.markChunk(ctx, &j, units, false); err != nil {
				return err
			}
		}
	}
}

var failureText = map[string]string{
	FailureStarter: "the user who started the job may no longer reconcile records",
	FailureUnits:   "none of the job's units is its starter's any longer",
	FailureCursor:  "the store no longer knows where the job was",
}

// scope returns the units the job may touch now: the starter's units at
// the start, narrowed to those they still have (nil: every unit, for an
// admin). why names the failure when the job may touch nothing.
func (r *Runner) scope(ctx context.Context, j store.ReconcileJob) (units []string, why string, err error) {
	a, err := r.db.Account(ctx, j.By)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, FailureStarter, nil
	case err != nil:
		return nil, "", fmt.Errorf("the job's starter: %w", err)
	case a.Disabled || !a.Role.Reconciles():
		return nil, FailureStarter, nil
	case a.Role == care.RoleAdmin:
		return j.Filter.Units, "", nil
	}
	for _, u := range a.Units {
		if j.Filter.Units == nil || slices.Contains(j.Filter.Units, u) {
			units = append(units, u)
		}
	}
	if len(units) == 0 || j.Filter.Unit != "" && !slices.Contains(units, j.Filter.Unit) {
		return nil, FailureUnits, nil
	}
	return units, "", nil
}

// markChunk gives the job's chunk to Reconcile and counts it. A chunk
// saved before a stop may already have been marked, in part by someone
// else: then (resumed), and whenever Reconcile refuses the chunk because
// someone reconciled one of its records meanwhile, the chunk's records
// are sorted out first, and only the new ones are given to Reconcile.
func (r *Runner) markChunk(ctx context.Context, j *store.ReconcileJob, units []string, resumed bool) error {
	c := j.Chunk
	rc := store.Reconciliation{Action: store.ActionEntered, EHRRef: j.EHRRef, By: j.By, EnteredBy: j.EnteredBy, At: c.At}
	todo, ours, skipped := c.IDs, 0, 0
	var err error
	if resumed {
		if todo, ours, skipped, err = r.sortOut(ctx, *j, units); err != nil {
			return err
		}
	}
	for attempt := 0; len(todo) > 0; attempt++ {
		_, err := r.db.Reconcile(ctx, todo, rc)
		if err == nil {
			ours += len(todo)
			break
		}
		if !errors.Is(err, store.ErrAlreadyReconciled) && !errors.Is(err, store.ErrNotFound) || attempt > len(c.IDs) {
			return fmt.Errorf("reconcile a chunk: %w", err)
		}
		// Each refusal means a record of todo left "new", which it never
		// returns to: this ends.
		if todo, ours, skipped, err = r.sortOut(ctx, *j, units); err != nil {
			return err
		}
	}
	j.Done, j.Skipped, j.Chunk = j.Done+ours, j.Skipped+skipped, nil
	// The chunk is in the store now: its count is saved even when the
	// server is stopping (a crash instead is what sortOut is for).
	save, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return r.save(save, j)
}

// sortOut reads the records of the job's chunk: those still new are to
// be marked, those entered by this chunk (by the starter, at the chunk's
// time, with the job's reference) are its own, the rest someone else
// reconciled (or they were purged since), or are no longer in the
// starter's units (skipped too).
func (r *Runner) sortOut(ctx context.Context, j store.ReconcileJob, units []string) (todo []string, ours, skipped int, err error) {
	for _, id := range j.Chunk.IDs {
		rec, err := r.db.StoredRecordByID(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			skipped++
		case err != nil:
			return nil, 0, 0, fmt.Errorf("sort out a chunk: %w", err)
		case rec.State == store.StateNew && (units == nil || slices.Contains(units, rec.UnitID)):
			todo = append(todo, id)
		case rec.State == store.StateEntered && rec.ReconciledBy == j.By && rec.ReconciledAt.Equal(j.Chunk.At) && rec.EHRRef == j.EHRRef:
			ours++
		default:
			skipped++
		}
	}
	return todo, ours, skipped, nil
}

// finish ends a job, with its closing audit entry.
func (r *Runner) finish(ctx context.Context, j *store.ReconcileJob, status, key, failure string) error {
	j.Status, j.FailureKey, j.Failure, j.Finished = status, key, failure, r.now().UTC()
	detail := fmt.Sprintf("status=%s done=%d skipped=%d held=%d", status, j.Done, j.Skipped, j.Held)
	if failure != "" {
		detail += fmt.Sprintf(" failure=%q", failure)
	}
	r.log.Info("bulk job finished", "job", j.ID, "status", status, "done", j.Done, "skipped", j.Skipped, "held", j.Held)
	return r.save(ctx, j, store.Audit{Time: j.Finished, Actor: j.By, Action: store.AuditReconcileJobFinish, Subject: j.ID, Detail: detail})
}

// save writes the job's progress and renews the lease.
func (r *Runner) save(ctx context.Context, j *store.ReconcileJob, audit ...store.Audit) error {
	now := r.now()
	j.Updated = now.UTC()
	if err := r.db.SaveReconcileJob(ctx, *j, r.owner, now.Add(r.lease), audit...); err != nil {
		return fmt.Errorf("save job progress: %w", err)
	}
	return nil
}
