package store

import (
	"errors"
	"fmt"
	"time"

	"beredskap/internal/care"
)

// The things the store holds, with the errors every implementation
// returns (wrapped with the id they concern; test them with errors.Is).

// Audit actions for administration.
const (
	AuditUserAdd      = "user.add"
	AuditUserDisable  = "user.disable"
	AuditUserReset    = "user.reset"
	AuditUserRename   = "user.rename"
	AuditDeviceRevoke = "device.revoke"
	AuditBackup       = "backup"
	AuditPurge        = "retention.purge"
)

// AuditEntry is one line of the append-only audit log. Each entry carries
// the hash of the one before it, so that removing, changing or reordering
// an entry breaks the chain from there on.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
}

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login.failed"
	AuditDevice         = "device.register"
	AuditBundle         = "bundle.issue"
	AuditSync           = "sync.accept"
	AuditQuarantine     = "sync.quarantine"
	AuditEmergency      = "emergency_access"
	AuditReconcile      = "record.reconcile"
	AuditExport         = "export"
	AuditFindingResolve = "finding.resolve"
)

// Audit is an entry to append; the store fills in the sequence number,
// the chain hashes and, when zero, the time.
type Audit struct {
	Time    time.Time
	Actor   string
	Action  string
	Subject string
	Detail  string
}

// ChainError names the first entry where the audit chain breaks.
type ChainError struct {
	Seq    uint64
	Reason string
}

func (e *ChainError) Error() string { return fmt.Sprintf("audit entry %d: %s", e.Seq, e.Reason) }

// IssuedBundle remembers what a shift bundle gave a phone, so that sync can
// decide whether a record's patient was on the author's own list or in the
// unit part, and whether it was made inside the bundle's validity.
type IssuedBundle struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	DeviceID     string    `json:"device_id,omitempty"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	OwnPatients  []string  `json:"own_patients"`
	UnitPatients []string  `json:"unit_patients"`
	// AccessPatients are the patients (of OwnPatients and UnitPatients)
	// whose person card in the bundle held door or key-box access
	// information: what must be changed when the phone is lost. Bundles
	// issued before it was recorded have none.
	AccessPatients []string `json:"access_patients,omitempty"`
	Bytes          int      `json:"bytes"`
	// Drills are the drills the bundle carried: the phone took part.
	Drills []string `json:"drills,omitempty"`
}

// Device is a phone registered to a user: the public half of its ed25519
// key, which signs every record it sends.
type Device struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	PublicKey []byte     `json:"public_key"`
	Label     string     `json:"label"`
	Created   time.Time  `json:"created"`
	LastSeen  time.Time  `json:"last_seen"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// Plan is everything that is prepared before a shift: the units, the
// patients' person cards, the visits, the scheduled doses, the emergency
// routines and announcements. ApplyPlan stores one atomically.
type Plan struct {
	Units         []care.Unit
	Patients      []care.Patient
	Visits        []care.Visit
	Doses         []care.ScheduledDose
	Routines      []care.Routine
	Announcements []care.Announcement
	// Scope, when not nil, holds the only units the plan may write to:
	// ApplyPlan then checks, inside its transaction, that nothing it
	// overwrites or names belongs to another unit. An import checks the
	// same before, with a line for each problem; this check holds it
	// against an import that changes the store in between.
	Scope []string
}

// ErrOutOfScope means a scoped plan would overwrite or name an item of a
// unit outside its scope; nothing was stored.
var ErrOutOfScope = errors.New("the plan touches another unit's data")

// ScopeError names the item that made ApplyPlan refuse a scoped plan: its
// kind (patient, visit, dose, routine) and its source id or title.
type ScopeError struct{ What, Name string }

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.What, e.Name, ErrOutOfScope)
}

// Is makes errors.Is(err, ErrOutOfScope) hold.
func (e *ScopeError) Is(target error) bool { return target == ErrOutOfScope }

// More audit actions, for preparedness.
const (
	AuditPlanImport   = "plan.import"
	AuditRoutine      = "routine.save"
	AuditAnnouncement = "announcement.post"
	AuditOutageStart  = "outage.start"
	AuditOutageEnd    = "outage.end"
)

// Outage is a declared outage: its start and (once over) its end set the
// window that findings and dashboards look at.
type Outage struct {
	ID        string     `json:"id"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end,omitempty"`
	StartedBy string     `json:"started_by"`
	EndedBy   string     `json:"ended_by,omitempty"`
	Note      string     `json:"note,omitempty"`
}

// ErrOutageState means starting an outage while one is active, or ending
// one when none is.
var ErrOutageState = errors.New("outage state")

// StateQuarantined selects quarantined records in a RecordFilter; stored
// records keep State "new" with the Quarantined flag.
const StateQuarantined = "quarantined"

// RecordFilter selects records for the coordinators' views, newest first.
type RecordFilter struct {
	// Units limits the records to these units (a coordinator's own); nil
	// means every unit.
	Units   []string
	Unit    string
	Patient string
	Author  string
	Type    care.RecordType
	State   string
	// Since keeps records received at or after it.
	Since time.Time
	// Drill selects by drill: "" every record, DrillNone the real
	// records only, DrillAny the drill records only, otherwise the
	// records of the drill with that id.
	Drill string
	// Cursor continues a previous page.
	Cursor string
	Limit  int
}

// The RecordFilter.Drill selections that name no drill.
const (
	DrillNone = "-"
	DrillAny  = "*"
)

// MatchesDrill reports whether a record of drill drillID (empty for a
// real record) passes a RecordFilter.Drill selection.
func MatchesDrill(sel, drillID string) bool {
	switch sel {
	case "":
		return true
	case DrillNone:
		return drillID == ""
	case DrillAny:
		return drillID != ""
	}
	return drillID == sel
}

// ErrBadCursor means the cursor did not come from a previous page.
var ErrBadCursor = errors.New("bad cursor")

// Reconciliation actions.
const (
	ActionEntered = "entered"
	ActionVoid    = "void"
)

// ErrAlreadyReconciled means the record was entered or voided before.
var ErrAlreadyReconciled = errors.New("already reconciled")

// Reconciliation is a coordinator's decision about one record.
type Reconciliation struct {
	Action string
	EHRRef string
	Reason string
	// By is who marked it; EnteredBy who typed it into the record system
	// (the author, where possible).
	By        string
	EnteredBy string
	At        time.Time
}

// FindingResolution is a coordinator's note that a finding was handled.
type FindingResolution struct {
	By      string    `json:"by"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
	// Unit is the finding's unit when it was resolved; empty for
	// resolutions stored before units were kept.
	Unit string `json:"unit,omitempty"`
}

// Record states through reconciliation.
const (
	StateNew     = "new"
	StateEntered = "entered"
	StateVoid    = "void"
)

// Why a quarantined record is held for review.
const (
	HeldDeviceRevoked  = "device_revoked"
	HeldAuthorDisabled = "author_disabled"
)

// StoredRecord is a record as the server keeps it: what it learned when it
// took the record in, the fields the coordinators' views and findings need,
// and (in a separate key, loaded only when asked for) the exact bytes the
// device signed with the signature.
type StoredRecord struct {
	ID         string          `json:"id"`
	Type       care.RecordType `json:"type"`
	DeviceID   string          `json:"device_id"`
	AuthorID   string          `json:"author_id"`
	PatientID  string          `json:"patient_id"`
	UnitID     string          `json:"unit_id"`
	VisitID    string          `json:"visit_id,omitempty"`
	ScheduleID string          `json:"schedule_id,omitempty"`
	Medication string          `json:"medication,omitempty"`
	// PRNID names the as-needed medication of a PRN dose;
	// AdministrationID, the dose a prn_effect record evaluates.
	PRNID            string `json:"prn_id,omitempty"`
	AdministrationID string `json:"administration_id,omitempty"`
	// CosignCode links an administration that waits for a co-signature
	// and the cosign record made on the co-signer's phone; AuthorRole is
	// the role the author of a cosign record held when it was received,
	// which says whether she may co-sign (care.Role.Cosigns).
	CosignCode     string     `json:"cosign_code,omitempty"`
	AuthorRole     string     `json:"author_role,omitempty"`
	Status         string     `json:"status,omitempty"`
	AdministeredAt *time.Time `json:"administered_at,omitempty"`
	Seq            uint64     `json:"seq"`
	CreatedAt      time.Time  `json:"created_at"`
	Received       time.Time  `json:"received"`
	BodyHash       string     `json:"body_hash"`
	BundleID       string     `json:"bundle_id,omitempty"`
	Emergency      bool       `json:"emergency,omitempty"`
	// Uncosigned marks a medication record with no second signer. It is
	// kept in the negative so that records stored before it existed count
	// as cosigned and raise no finding they did not earn.
	Uncosigned  bool `json:"uncosigned,omitempty"`
	Quarantined bool `json:"quarantined,omitempty"`
	// HeldFor says why a quarantined record is held (HeldDeviceRevoked,
	// HeldAuthorDisabled). Records held before it existed have none and
	// came from revoked devices.
	HeldFor string `json:"held_for,omitempty"`
	State   string `json:"state"`
	// Reconciliation, by coordinators.
	EHRRef       string    `json:"ehr_ref,omitempty"`
	VoidReason   string    `json:"void_reason,omitempty"`
	ReconciledBy string    `json:"reconciled_by,omitempty"`
	EnteredBy    string    `json:"entered_by,omitempty"`
	ReconciledAt time.Time `json:"reconciled_at,omitzero"`
	// DrillID names the drill the record was written in: a drill
	// record, kept apart from the real documentation (never in the
	// desk's findings and counts, the exports or reconciliation).
	DrillID string `json:"drill_id,omitempty"`

	// Body and Sig are stored under their own key.
	Body []byte `json:"-"`
	Sig  []byte `json:"-"`
}

// Record decodes the record the device signed; the StoredRecord must have
// been loaded with its body.
func (r StoredRecord) Record() (care.Record, error) {
	var rec care.Record
	if len(r.Body) == 0 {
		return rec, fmt.Errorf("decode record %s: body not loaded", r.ID)
	}
	if rec, ok := care.DecodePlain(r.Body); ok {
		return rec, nil // the phones' form, read in one pass
	}
	if err := DecodeJSON(r.Body, &rec); err != nil {
		return rec, fmt.Errorf("decode record %s: %w", r.ID, err)
	}
	return rec, nil
}

// RecordStatus is what the store already holds under a record id.
type RecordStatus int

// Statuses of Known.
const (
	RecordUnknown   RecordStatus = iota
	RecordSame                   // the same bytes: a duplicate
	RecordDifferent              // other bytes under the same id: a conflict
)

// ErrRecordExists means a record id was taken between the check and the
// write; the caller decides again.
var ErrRecordExists = errors.New("record already stored")

// ErrSchemaTooNew means the store was written by a newer Beredskap than
// this one: opening it could misread or damage what it holds.
var ErrSchemaTooNew = errors.New("the store was written by a newer version of Beredskap")

// Session is a logged-in user. The token itself is never stored: the key
// is its SHA-256, so a copy of the database gives no usable token.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    string    `json:"user_id"`
	DeviceID  string    `json:"device_id,omitempty"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// ErrNotFound means no value exists under the key asked for.
var ErrNotFound = errors.New("not found")

// Account is a user as the server keeps it: the user and the password hash.
type Account struct {
	care.User
	PasswordHash string `json:"password_hash"`
}

// ErrUsernameTaken means another user already has the username.
var ErrUsernameTaken = errors.New("username taken")

// UsernameCollision is a set of accounts whose usernames are one name
// once normalised: accounts from before usernames were normalised. Only
// one of them (Indexed, if any) can log in until an admin renames the
// others.
type UsernameCollision struct {
	Normalized string
	Indexed    string
	Accounts   []Account
}

// ErrInsufficientStorage means a write was refused because the disk that
// holds the store is (nearly) full. Nothing was written; the same write
// succeeds once space has been freed.
var ErrInsufficientStorage = errors.New("insufficient storage")

// ErrUnavailable means the store could not be reached, or the database
// reached takes no writes: no primary answers while a failover promotes
// a standby, or a database restarts. The server answers it 503 with
// Retry-After and the phone tries again. A write whose commit was under
// way when the connection was lost may have been stored; every write a
// phone retries is idempotent by its id (a record sent again is a
// duplicate), so trying it again is safe.
var ErrUnavailable = errors.New("the store is unavailable")

// Mode says how the store is open.
type Mode string

// The store's modes.
const (
	// ModeReadWrite takes writes while space lasts.
	ModeReadWrite Mode = "read-write"
	// ModeReadOnly was opened on a full disk: reads work, writes are
	// refused, and the store reopens for writes once space returns.
	ModeReadOnly Mode = "read-only"
	// ModeUnavailable was opened on a full disk and could not even be
	// opened read-only (the Badger store refuses when a write-ahead
	// log needs replaying, after a crash): nothing can be read until space returns.
	ModeUnavailable Mode = "unavailable"
)

// Storage is the store's view of its disk, for /healthz and the log.
type Storage struct {
	Mode Mode
	// FreeBytes is the space left on the store's filesystem; 0 with
	// Measured false when it cannot be measured.
	FreeBytes uint64
	Measured  bool
	// MinFreeBytes is the reserve below which bulk writes are refused,
	// HardFreeBytes the floor below which every write is.
	MinFreeBytes, HardFreeBytes uint64
	// BulkWrites and SmallWrites say which writes are taken now.
	BulkWrites, SmallWrites bool
	// Reason says why writes are refused, in English; empty when both are
	// taken.
	Reason string
}

// ChangeKind is what a change of a ChangeFeed concerns.
type ChangeKind string

// The kinds of change, and what IDs holds for each.
const (
	// ChangeRecords: records stored, reconciled or voided (their ids).
	ChangeRecords ChangeKind = "records"
	// ChangePurge: records purged (their ids).
	ChangePurge ChangeKind = "purge"
	// ChangePlan: a plan written (no ids: the desk reads the plan again).
	ChangePlan ChangeKind = "plan"
	// ChangeResolution: findings resolved (their ids).
	ChangeResolution ChangeKind = "resolution"
	// ChangeLoad: a backup loaded into the store (no ids: everything).
	ChangeLoad ChangeKind = "load"
)

// Change is one committed write of a ChangeFeed: its position, its kind
// and the ids it concerns.
type Change struct {
	Seq  uint64
	Kind ChangeKind
	IDs  []string
}

// ErrChangesLost means a change feed no longer holds every change after
// the position asked for.
var ErrChangesLost = errors.New("the change feed no longer holds every change after this position")
