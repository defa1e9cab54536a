package store

import (
	"errors"
	"time"
)

// The office's bulk jobs (issue 16): "mark all that match as entered",
// run chunk by chunk by internal/bulk and kept here so that a server that
// stops halfway carries on where it was.

// Audit actions of bulk jobs; each record a job marks has its own
// AuditReconcile entry besides, written by Reconcile.
const (
	AuditReconcileJobStart  = "reconcile_job.start"
	AuditReconcileJobFinish = "reconcile_job.finish"
)

// The statuses of a job. Only a running job is worked on.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ReconcileJob marks every record a filter selects as entered into the
// record system, with one reference for all of them, in chunks: each
// chunk all or nothing through Records.Reconcile. Its progress is saved
// after each step, so that a restart goes on from there.
type ReconcileJob struct {
	ID string `json:"id"`
	// By is who started it: the reconciliations are theirs.
	By string `json:"by"`
	// Filter selects the records, as the records list does; its Units
	// are the starter's units (nil for an admin), its State is "new", and
	// its Cursor and Limit are not used.
	Filter RecordFilter `json:"filter"`
	// UpTo is when the job was started: records received after it are
	// left alone, so that what came in after the click is not swept in.
	UpTo      time.Time `json:"up_to"`
	EHRRef    string    `json:"ehr_ref"`
	EnteredBy string    `json:"entered_by"`
	Created   time.Time `json:"created"`
	Status    string    `json:"status"`
	// Failure says why a failed job stopped, in English; FailureKey is
	// its catalogue key.
	Failure    string    `json:"failure,omitempty"`
	FailureKey string    `json:"failure_key,omitempty"`
	Finished   time.Time `json:"finished,omitzero"`
	// Total is how many records matched when the job started (the
	// measure of its progress); Done how many it marked, Skipped how many
	// someone else entered or voided first, Held how many it left for
	// review one by one (quarantined: from a revoked phone).
	Total   int `json:"total"`
	Done    int `json:"done"`
	Skipped int `json:"skipped"`
	Held    int `json:"held"`
	// Cursor is where the walk over the matching records goes on; Walked
	// says it reached the end (then the job is finished once Chunk is).
	Cursor string `json:"cursor,omitempty"`
	Walked bool   `json:"walked,omitempty"`
	// Chunk is the chunk being marked, saved before it is given to
	// Reconcile, so that after a crash the runner knows which records it
	// may already have marked.
	Chunk *JobChunk `json:"chunk,omitempty"`
	// Owner is the server running the job, which holds it until
	// LeaseUntil; Updated is when the job was last saved.
	Owner      string    `json:"owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	Updated    time.Time `json:"updated"`
}

// JobChunk is one chunk of a job: the records it marks together, and the
// reconciliation time it gives them, by which a restarted runner tells
// the records this chunk marked from those someone else did.
type JobChunk struct {
	IDs []string  `json:"ids"`
	At  time.Time `json:"at"`
}

// Errors of the job lease.
var (
	// ErrLeaseHeld means another server holds the job's lease.
	ErrLeaseHeld = errors.New("the job is being run by another server")
	// ErrLeaseLost means the job's lease passed to another server; the
	// progress was not saved.
	ErrLeaseLost = errors.New("the job's lease passed to another server")
	// ErrJobFinished means the job is done or failed: nothing runs it.
	ErrJobFinished = errors.New("the job is finished")
	// ErrJobExists means a job id was used before.
	ErrJobExists = errors.New("job already stored")
)
