package wire

import (
	"time"

	"beredskap/internal/care"
)

// Readiness answers "if the network dies now" for the window From →
// Until (GET /api/v1/readiness): the visits no phone holds in a valid
// shift, the shifts that end before their worker's last visit does, and
// the workers with visits who fetched no shift today.
type Readiness struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
	// DayStart is the local midnight from which a fetch counts as today's.
	DayStart   time.Time         `json:"day_start"`
	Units      []string          `json:"units"`
	Uncovered  []ReadinessVisit  `json:"uncovered_visits"`
	Expiring   []ReadinessShift  `json:"expiring_shifts"`
	NotFetched []ReadinessWorker `json:"not_fetched"`
	Remind     []Person          `json:"remind"`
	Counts     ReadinessCounts   `json:"counts"`
}

// ReadinessCounts are the overview's numbers.
type ReadinessCounts struct {
	Visits     int `json:"visits"`
	Uncovered  int `json:"uncovered_visits"`
	Expiring   int `json:"expiring_shifts"`
	NotFetched int `json:"not_fetched"`
	Remind     int `json:"remind"`
}

// ReadinessVisit is a visit in the window that no unexpired shift of its
// worker, on a phone that is not revoked, holds.
type ReadinessVisit struct {
	VisitID     string    `json:"visit_id"`
	PatientID   string    `json:"patient_id"`
	PatientName string    `json:"patient_name,omitempty"`
	WorkerID    string    `json:"worker_id"`
	WorkerName  string    `json:"worker_name,omitempty"`
	UnitID      string    `json:"unit_id"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	// ShiftExpires is when the worker's longest-lasting valid shift
	// expires, if they hold one (it expires before this visit starts).
	ShiftExpires *time.Time `json:"shift_expires,omitempty"`
}

// ReadinessShift is a worker's valid shift (the one lasting longest) that
// expires before the worker's last visit in the window ends.
type ReadinessShift struct {
	WorkerID     string    `json:"worker_id"`
	WorkerName   string    `json:"worker_name,omitempty"`
	BundleID     string    `json:"bundle_id"`
	DeviceID     string    `json:"device_id"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	LastVisitEnd time.Time `json:"last_visit_end"`
}

// ReadinessWorker is a worker with visits in the window who fetched no
// shift today on a phone that is not revoked and holds no valid one from
// before midnight either.
type ReadinessWorker struct {
	WorkerID   string     `json:"worker_id"`
	WorkerName string     `json:"worker_name,omitempty"`
	Visits     int        `json:"visits"`
	FirstVisit time.Time  `json:"first_visit"`
	LastFetch  *time.Time `json:"last_fetch,omitempty"`
}

// ReadinessRemindRequest asks the server to post the refresh reminder
// (POST /api/v1/readiness/remind) to the workers readiness names for the
// same unit and window; the server computes them again itself.
type ReadinessRemindRequest struct {
	Unit  string     `json:"unit,omitempty"`
	Until *time.Time `json:"until,omitempty"`
}

// ReadinessRemindResponse says whom the reminder went to: one important
// announcement per language of those workers, each addressed to them.
type ReadinessRemindResponse struct {
	Workers       []Person            `json:"workers"`
	Announcements []care.Announcement `json:"announcements"`
}
