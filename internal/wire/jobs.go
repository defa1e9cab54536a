package wire

import "time"

// The office's bulk jobs (issue 16): "mark all that match as entered".

// RecordFilters are the filters of GET /api/v1/records, as a bulk job
// takes them.
type RecordFilters struct {
	Unit    string `json:"unit,omitempty"`
	Patient string `json:"patient,omitempty"`
	Author  string `json:"author,omitempty"`
	Type    string `json:"type,omitempty"`
	// State is "" or "new": a job marks new records.
	State string     `json:"state,omitempty"`
	Since *time.Time `json:"since,omitempty"`
}

// ReconcileJobRequest is the body of POST /api/v1/records/reconcile-jobs:
// mark every new record the filters select, in the caller's units and
// received until now, entered into the record system under one
// reference. Quarantined records are left for review one by one.
type ReconcileJobRequest struct {
	Filter    RecordFilters `json:"filter"`
	EHRRef    string        `json:"ehr_ref"`
	EnteredBy string        `json:"entered_by,omitempty"`
}

// The statuses of a bulk job.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ReconcileJob is a bulk job as the office follows it: the answer of the
// POST (202 Accepted) and of GET /api/v1/records/reconcile-jobs/{id}.
// Done, Skipped (reconciled by someone else first) and Held (quarantined,
// left for review) grow towards Total, the records that matched at the
// start.
type ReconcileJob struct {
	ID            string        `json:"id"`
	Status        string        `json:"status"`
	By            string        `json:"by"`
	ByName        string        `json:"by_name,omitempty"`
	Filter        RecordFilters `json:"filter"`
	EHRRef        string        `json:"ehr_ref"`
	EnteredBy     string        `json:"entered_by"`
	EnteredByName string        `json:"entered_by_name,omitempty"`
	UpTo          time.Time     `json:"up_to"`
	Created       time.Time     `json:"created"`
	Finished      *time.Time    `json:"finished,omitempty"`
	Total         int           `json:"total"`
	Done          int           `json:"done"`
	Skipped       int           `json:"skipped"`
	Held          int           `json:"held"`
	// Failure says in English why a failed job stopped; FailureKey is its
	// catalogue key for the office.
	Failure    string `json:"failure,omitempty"`
	FailureKey string `json:"failure_key,omitempty"`
}

// ReconcileJobsResponse is the body of GET /api/v1/records/reconcile-jobs.
type ReconcileJobsResponse struct {
	Jobs []ReconcileJob `json:"jobs"`
}
