// Package store is the contract of Beredskap's server state: the
// interfaces named for what they hold (Accounts, Sessions, Devices,
// Schedule, Records, AuditTrail, ...), the composite Store, the types
// they hold and the sentinel errors. Capability packages and the server
// ask for the narrowest interface they need. Implementations live in
// their own packages (internal/store/badger today, PostgreSQL next) and
// are held to the same behaviour by the conformance suite in
// internal/store/storetest. No interface names an implementation's type.
// Every implementation returns this package's sentinel errors (ErrNotFound,
// ErrRecordExists, ErrUsernameTaken, ...) wrapped with the id they
// concern, so that callers test them with errors.Is and logs say which.
package store

import (
	"context"
	"io"
	"time"

	"beredskap/internal/care"
)

// Accounts holds the users and their password hashes, found by id or by
// normalised username.
type Accounts interface {
	// PutAccount creates or replaces an account; a username that is
	// another account's after normalisation is ErrUsernameTaken.
	PutAccount(ctx context.Context, a Account) error
	AccountByUsername(ctx context.Context, username string) (Account, error)
	Account(ctx context.Context, id string) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	SetAccountLang(ctx context.Context, id, lang string) error
	UsernameCollisions(ctx context.Context) ([]UsernameCollision, error)
}

// Sessions holds login sessions by token hash; they expire by themselves.
type Sessions interface {
	PutSession(ctx context.Context, s Session) error
	Session(ctx context.Context, hash string) (Session, error)
	DeleteSession(ctx context.Context, s Session) error
	DeleteUserSessions(ctx context.Context, userID string) error
	UserSessions(ctx context.Context, userID string) ([]Session, error)
}

// Devices holds the phones registered to users.
type Devices interface {
	PutDevice(ctx context.Context, d Device) error
	Device(ctx context.Context, id string) (Device, error)
	UserDevices(ctx context.Context, userID string) ([]Device, error)
	Devices(ctx context.Context) ([]Device, error)
	RevokeDevice(ctx context.Context, id, by string, now time.Time) (Device, error)
	TouchDevice(ctx context.Context, id string, now time.Time) error
}

// Bundles holds the shift bundles issued to phones.
type Bundles interface {
	PutIssuedBundle(ctx context.Context, b IssuedBundle) error
	IssuedBundles(ctx context.Context, userID string, since time.Time) ([]IssuedBundle, error)
	IssuedBundle(ctx context.Context, id string) (IssuedBundle, error)
}

// Schedule holds the plan: units, patients, visits and scheduled doses.
// ApplyPlan writes a whole plan (routines and announcements included) all
// or nothing.
type Schedule interface {
	ApplyPlan(ctx context.Context, p Plan) error
	Units(ctx context.Context) ([]care.Unit, error)
	Patient(ctx context.Context, id string) (care.Patient, error)
	PatientsByUnit(ctx context.Context, unit string) ([]care.Patient, error)
	Visit(ctx context.Context, id string) (care.Visit, error)
	VisitsByUnit(ctx context.Context, unit string, from, to time.Time) ([]care.Visit, error)
	DosesByPatient(ctx context.Context, patient string, from, to time.Time) ([]care.ScheduledDose, error)
	Dose(ctx context.Context, id string) (care.ScheduledDose, error)
	// ScanPlan gives every patient, then every visit, then every dose
	// held, each kind in id order, in one pass per kind: what builds the
	// desk's bookkeeping at start. It ends at the first error a function
	// returns, or when ctx ends.
	ScanPlan(ctx context.Context, scan PlanScan) error
}

// PlanScan receives the items ScanPlan reads; a nil function skips its
// kind.
type PlanScan struct {
	Patient func(care.Patient) error
	Visit   func(care.Visit) error
	Dose    func(care.ScheduledDose) error
}

// Routines holds the action cards and every version of each.
type Routines interface {
	Routine(ctx context.Context, id string) (care.Routine, error)
	Routines(ctx context.Context) ([]care.Routine, error)
	SaveRoutine(ctx context.Context, r care.Routine, by string, now time.Time) (care.Routine, error)
	RoutineVersions(ctx context.Context, id string) ([]care.Routine, error)
}

// Announcements holds the messages the office posts to phones.
type Announcements interface {
	Announcements(ctx context.Context, since time.Time) ([]care.Announcement, error)
	PostAnnouncement(ctx context.Context, a care.Announcement) error
}

// Outages holds the declared outages; at most one is open.
type Outages interface {
	Outages(ctx context.Context) ([]Outage, error)
	StartOutage(ctx context.Context, o Outage) error
	EndOutage(ctx context.Context, by string, end time.Time) (Outage, error)
}

// Records holds the records phones sent, their state and the per-device
// sequence numbers. PutRecords is exactly once: a record id already held
// (or purged) is ErrRecordExists and nothing of the batch is written.
type Records interface {
	Known(ctx context.Context, hashes map[string]string) (map[string]RecordStatus, error)
	PutRecords(ctx context.Context, recs []StoredRecord, audit []Audit) error
	StoredRecordByID(ctx context.Context, id string) (StoredRecord, error)
	CountRecords(ctx context.Context) (int, error)
	DeviceSeqs(ctx context.Context, deviceID string) ([]uint64, error)
	DeviceSeqIndex(ctx context.Context, deviceID string) ([]uint64, map[uint64][]string, error)
	ListRecords(ctx context.Context, f RecordFilter) ([]StoredRecord, string, error)
	Reconcile(ctx context.Context, ids []string, rc Reconciliation) ([]StoredRecord, error)

	// Exports (streamed): WalkRecords calls fn with every record f
	// selects, body included, in an order of the implementation's
	// choosing (the one it reads fastest); f.Cursor and f.Limit are
	// ignored. It reads a page at a time
	// and calls fn outside the store's transactions, so memory stays that
	// of one page and a slow fn holds no lock. A record stored, changed or
	// purged while the walk runs may be seen or not, but no record is
	// given twice. The walk ends at the first error of fn, which it
	// returns, or when ctx ends. The record's Body and Sig are fn's only
	// until it returns: a walk may reuse their bytes for the records
	// that follow (what fn keeps of them, it copies).
	WalkRecords(ctx context.Context, f RecordFilter, fn func(StoredRecord) error) error

	// The desk's start: ScanRecords calls fn with every record held,
	// without its body, in no particular order, in one pass over the
	// store (what builds the desk's bookkeeping, a million records in
	// seconds). A record stored or changed while it runs may be seen or
	// not; none is given twice, and purged records are not given. It ends
	// at the first error of fn, which it returns, or when ctx ends.
	ScanRecords(ctx context.Context, fn func(StoredRecord) error) error
}

// Findings holds how the office resolved the desk's findings.
type Findings interface {
	ResolveFinding(ctx context.Context, id string, res FindingResolution) error
	FindingResolutions(ctx context.Context) (map[string]FindingResolution, error)
}

// ReconcileJobs holds the office's bulk jobs, which mark every record a
// filter selects as entered, chunk by chunk (internal/bulk runs them).
// One server at a time runs a job: the one holding its lease, which is
// taken (ClaimReconcileJob) and renewed with every save
// (SaveReconcileJob) by a compare-and-set on the job's owner, and
// expires by itself when that server stops without giving it up.
type ReconcileJobs interface {
	// CreateReconcileJob stores a new running job, with no owner, and
	// its audit entry, durably; an id used before is ErrJobExists.
	CreateReconcileJob(ctx context.Context, j ReconcileJob, a Audit) error
	// ReconcileJob returns one job; an unknown id is ErrNotFound.
	ReconcileJob(ctx context.Context, id string) (ReconcileJob, error)
	// ReconcileJobs returns the jobs, newest first: all of them, or only
	// the running ones.
	ReconcileJobs(ctx context.Context, runningOnly bool) ([]ReconcileJob, error)
	// ClaimReconcileJob gives owner the lease of a running job until
	// until, when nobody holds it, its lease ended before now, or owner
	// holds it already; otherwise ErrLeaseHeld, or ErrJobFinished for a
	// job that is not running, and nothing changes.
	ClaimReconcileJob(ctx context.Context, id, owner string, now, until time.Time) (ReconcileJob, error)
	// SaveReconcileJob writes a running job's progress (status done or
	// failed ends it, with the audit entries given) and renews owner's
	// lease until until, provided owner still holds it: otherwise
	// ErrLeaseLost (ErrJobFinished when the job ended meanwhile) and
	// nothing is written. Id, By, Filter, UpTo, EHRRef, EnteredBy and
	// Created are kept as they were stored.
	SaveReconcileJob(ctx context.Context, j ReconcileJob, owner string, until time.Time, audit ...Audit) error
	// ReleaseReconcileJob gives up owner's lease (a server that stops),
	// so that the next start or another server takes the job at once; a
	// lease owner does not hold is left as it is.
	ReleaseReconcileJob(ctx context.Context, id, owner string) error
}

// AuditTrail is the append-only, hash-chained audit log.
type AuditTrail interface {
	Append(ctx context.Context, entries ...Audit) error
	AuditLog(ctx context.Context, from uint64, limit int) ([]AuditEntry, error)
	AuditFor(ctx context.Context, subject string) ([]AuditEntry, error)
	AuditHead(ctx context.Context) (uint64, error)
	// VerifyAudit walks the chain and returns the entries checked, or a
	// *ChainError at the first entry that does not follow.
	VerifyAudit(ctx context.Context) (uint64, error)
}

// Setup holds whether the municipality has been set up, and whether as a
// demo.
type Setup interface {
	Initialized(ctx context.Context) (bool, error)
	DemoMode(ctx context.Context) (bool, error)
	MarkInitialized(ctx context.Context, demo bool) error
}

// Maintenance is what the operator's jobs do to the whole store:
// retention purges, backup and the load of a backup into a new store.
type Maintenance interface {
	PurgeReconciled(ctx context.Context, before, now time.Time) (int, error)
	// Backup streams a consistent copy of everything stored to w, in the
	// implementation's own format.
	Backup(ctx context.Context, w io.Writer) error
	// Load reads a stream Backup wrote into this store, which must be
	// new, and brings it to the current schema.
	Load(ctx context.Context, r io.Reader) error
}

// Capacity says whether the store takes writes now: on a disk (nearly)
// full it refuses them with ErrInsufficientStorage, and bulk writes are
// admitted one by one against the space they need.
type Capacity interface {
	Mode() Mode
	Storage() Storage
	// ReserveWrite admits a bulk write that adds about n bytes, or refuses
	// it with ErrInsufficientStorage; release is called when it is done
	// (more than once does no harm).
	ReserveWrite(n int64) (release func(), err error)
}

// Store is the whole contract: everything the server keeps.
type Store interface {
	Accounts
	Sessions
	Devices
	Bundles
	Schedule
	Routines
	Announcements
	Outages
	Records
	ReconcileJobs
	LoginFlows
	Findings
	AuditTrail
	Setup
	Maintenance
	Capacity
	LoginFallback
	Exposures
	SyncHealth
	Drills
	io.Closer
}

// KeyVault is a store that keeps the server's keys itself: one that
// several servers share (PostgreSQL), so that every node signs bundles
// and opens records with the same keys. Badger's keys are a file beside
// its directory instead.
type KeyVault interface {
	// ServerKeys returns the key file the store holds, storing proposed
	// first when it holds none: of several servers proposing keys at the
	// same moment, all get the one stored.
	ServerKeys(ctx context.Context, proposed []byte) ([]byte, error)
}

// Exclusive is a store that several servers share, where work that one
// server at a time may do (loading the demo municipality into an empty
// store, a retention purge) runs under a lock named for it. fn's context
// ends when the lock is lost (the database failed over).
type Exclusive interface {
	Exclusive(ctx context.Context, name string, fn func(context.Context) error) error
}

// Throttle is a store that several servers share, where login attempts
// are counted for all of them together: a guesser spread over the nodes
// behind a load balancer meets the same limits as on one. Each named
// limit is a bucket of burst attempts per key, refilled one per every.
type Throttle interface {
	// TakeAttempt spends one attempt of key's bucket in the limit name,
	// if one is left; otherwise ok is false and wait says how long until
	// the next.
	TakeAttempt(ctx context.Context, name, key string, burst int, every time.Duration, now time.Time) (ok bool, wait time.Duration, err error)
	// RefundAttempt gives back an attempt TakeAttempt spent.
	RefundAttempt(ctx context.Context, name, key string, burst int, every time.Duration, now time.Time) error
}

// ChangeFeed is a store that several servers share (PostgreSQL), which
// keeps a log of the committed writes that change what the desk keeps:
// each server's desk (internal/kept) follows it, so that it learns what
// the other servers wrote. A change holds ids and a kind, nothing else;
// the desk reads what changed through RecordsByID and ResolutionsByID.
// Badger, one process, needs none: its desk hears every write itself.
//
// Changes come in commit order: a change committed after ChangeHead
// returned, or after Changes returned a position, comes after that
// position. A reader that starts from ChangeHead read before it scans
// the store, and then reads Changes from there, misses no write.
type ChangeFeed interface {
	// ChangeHead returns the position of the last change committed.
	ChangeHead(ctx context.Context) (uint64, error)
	// Changes returns up to limit changes committed after position
	// after, oldest first, and the position to read from next (after
	// itself when none came). ErrChangesLost means the log no longer
	// holds everything after after (pruned, or a database that went
	// back in time): the reader starts again from the store.
	Changes(ctx context.Context, after uint64, limit int) ([]Change, uint64, error)
	// RecordsByID returns the records held among ids, without bodies;
	// purged and unknown ids are left out.
	RecordsByID(ctx context.Context, ids []string) ([]StoredRecord, error)
	// ResolutionsByID returns the resolutions held among the finding
	// ids.
	ResolutionsByID(ctx context.Context, ids []string) (map[string]FindingResolution, error)
}
