// Package wire is the v1 protocol between the phone and the server
// (DESIGN §5): request and response bodies, the error envelope and its codes,
// the shift bundle and the signed record envelope. Binary values are []byte,
// which encoding/json writes as standard base64 with padding, as the
// protocol asks.
package wire

import (
	"fmt"
	"time"

	"beredskap/internal/care"
)

// Code is an error code of the protocol. Each maps to one HTTP status.
type Code string

// The error codes of DESIGN §5.
const (
	CodeInvalidInput  Code = "invalid_input"
	CodeUnauthorized  Code = "unauthorized"
	CodeForbidden     Code = "forbidden"
	CodeNotFound      Code = "not_found"
	CodeConflict      Code = "conflict"
	CodeTooLarge      Code = "too_large"
	CodeRateLimited   Code = "rate_limited"
	CodeDeviceRevoked Code = "device_revoked"
	CodeInternal      Code = "internal"
	// CodeInsufficientStorage (503, with Retry-After) means the server is
	// refusing writes until it has disk space again; reads keep working
	// and a phone keeps its records for a later try.
	CodeInsufficientStorage Code = "insufficient_storage"
	// CodeUnavailable (503, with Retry-After) means the server cannot
	// reach a database that takes writes just now (a failover is
	// promoting a standby): nothing is known to be changed, and the same
	// request is tried again later. A phone keeps its records; a record
	// whose commit was under way is a duplicate on the retry.
	CodeUnavailable Code = "unavailable"
)

// Error is a protocol error: a code for programs and a message for people.
// Key, when set, names a message in the translation catalogue that says
// the same in the user's language; Args fill its placeholders in order.
type Error struct {
	Code    Code     `json:"code"`
	Message string   `json:"message"`
	Key     string   `json:"key,omitempty"`
	Args    []string `json:"args,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the code and a message formatted as
// fmt.Sprintf does.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithKey returns a copy of e that names a catalogue message and its
// arguments, for the app to show in the user's language.
func (e *Error) WithKey(key string, args ...string) *Error {
	c := *e
	c.Key, c.Args = key, args
	return &c
}

// ErrorBody is the envelope every failed request answers with.
type ErrorBody struct {
	Error Error `json:"error"`
}

// LoginRequest is the body of POST /api/v1/session.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse answers a successful login. SignKey is the server's ed25519
// public key (bundles), SealKey its X25519 public key (records).
type LoginResponse struct {
	Token      string    `json:"token"`
	User       care.User `json:"user"`
	ServerTime time.Time `json:"server_time"`
	SignKey    []byte    `json:"sign_key"`
	SealKey    []byte    `json:"seal_key"`
	KeyID      string    `json:"key_id"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// LangRequest chooses the logged-in user's language (PUT /api/v1/me/lang);
// the answer has the same shape. Later logins carry it in user.lang.
type LangRequest struct {
	Lang string `json:"lang"`
}

// DeviceRequest registers a phone's ed25519 public key for the logged-in
// user (POST /api/v1/devices).
type DeviceRequest struct {
	PublicKey []byte `json:"public_key"`
	Label     string `json:"label"`
}

// DeviceResponse names the registered device.
type DeviceResponse struct {
	DeviceID string `json:"device_id"`
}

// BundleResponse carries the shift bundle's exact JSON bytes and the
// server's ed25519 signature over them.
type BundleResponse struct {
	Bundle    []byte `json:"bundle"`
	Signature []byte `json:"signature"`
	KeyID     string `json:"key_id"`
}

// Bundle is the shift: everything a worker's phone holds for the outage.
// The worker's own list is the visits whose WorkerID is UserID; the other
// visits of the units are the unit part, open only as emergency access.
type Bundle struct {
	ID              string               `json:"id"`
	IssuedAt        time.Time            `json:"issued_at"`
	ExpiresAt       time.Time            `json:"expires_at"`
	UserID          string               `json:"user_id"`
	UserName        string               `json:"user_name"`
	DeviceID        string               `json:"device_id,omitempty"`
	Units           []care.Unit          `json:"units"`
	Colleagues      []Colleague          `json:"colleagues"`
	IdleLockMinutes int                  `json:"idle_lock_minutes"`
	Visits          []care.Visit         `json:"visits"`
	Patients        []care.Patient       `json:"patients"`
	Medications     []care.ScheduledDose `json:"medications"`
	Routines        []care.Routine       `json:"routines"`
	Announcements   []care.Announcement  `json:"announcements"`
	// PRNDoses are the as-needed doses the server holds for the bundle's
	// patients, given in the 24 hours before it was issued, so that the
	// phone warns of a dose too soon or over the day's maximum that
	// another phone gave.
	PRNDoses []PRNDose `json:"prn_doses,omitempty"`
	// Drills are the drills of the worker's units that are active or
	// begin before the bundle expires: while one is active, the phone
	// shows that it is a drill and marks what it writes with its id.
	Drills []Drill `json:"drills,omitempty"`
}

// PRNDose is an as-needed dose given, as the bundle carries it: no more
// than the phone's warnings need. ID is the medication record's, so that
// the phone does not count a dose of its own twice.
type PRNDose struct {
	ID             string    `json:"id"`
	PatientID      string    `json:"patient_id"`
	Medication     string    `json:"medication"`
	Dose           string    `json:"dose,omitempty"`
	AdministeredAt time.Time `json:"administered_at"`
}

// Colleague is a worker or nurse of the same units, named so that the unit
// part can say whose visit it is.
type Colleague struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Role care.Role `json:"role"`
}

// ColleagueName returns the name of the colleague with the id, or "".
func (b *Bundle) ColleagueName(id string) string {
	for _, c := range b.Colleagues {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

// Own reports whether the visit is on the bundle owner's own list.
func (b *Bundle) Own(v care.Visit) bool { return v.WorkerID == b.UserID }

// OwnPatient reports whether the patient has a visit on the owner's own list.
func (b *Bundle) OwnPatient(patientID string) bool {
	for _, v := range b.Visits {
		if v.PatientID == patientID && b.Own(v) {
			return true
		}
	}
	return false
}

// Patient returns the person card with the id.
func (b *Bundle) Patient(id string) (care.Patient, bool) {
	for _, p := range b.Patients {
		if p.ID == id {
			return p, true
		}
	}
	return care.Patient{}, false
}

// Visit returns the visit with the id.
func (b *Bundle) Visit(id string) (care.Visit, bool) {
	for _, v := range b.Visits {
		if v.ID == id {
			return v, true
		}
	}
	return care.Visit{}, false
}

// SignedRecord is a record before sealing: the record JSON's exact bytes and
// the device's ed25519 signature over them.
type SignedRecord struct {
	Body []byte `json:"body"`
	Sig  []byte `json:"sig"`
}

// SealedRecord is one record as sent: the SignedRecord JSON sealed to the
// server's X25519 key with an anonymous sealed box.
type SealedRecord struct {
	ID     string `json:"id"`
	Sealed []byte `json:"sealed"`
}

// SyncRequest is the body of POST /api/v1/sync. Outbox and Read are
// optional (sync health): a request without them is served as before; a
// request that carries either may hold no records.
type SyncRequest struct {
	DeviceID string             `json:"device_id"`
	Records  []SealedRecord     `json:"records"`
	Outbox   *OutboxReport      `json:"outbox,omitempty"`
	Read     []AnnouncementRead `json:"read,omitempty"`
}

// Sync results, one per record.
const (
	SyncAccepted    = "accepted"
	SyncDuplicate   = "duplicate"
	SyncQuarantined = "quarantined"
	SyncRejected    = "rejected"
)

// SyncResult is the server's answer for one record.
type SyncResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// Key and Args name a rejection's reason in the translation
	// catalogue, as on Error, when it has one (a record that fails
	// validation).
	Key  string   `json:"key,omitempty"`
	Args []string `json:"args,omitempty"`
}

// SyncResponse answers a sync. Wipe tells the phone to delete its bundle
// and keys (the device was revoked); the outbox is kept.
type SyncResponse struct {
	Results []SyncResult `json:"results"`
	Wipe    bool         `json:"wipe,omitempty"`
}

// Limits of a sync request.
const (
	MaxSyncRecords = 500
	MaxSyncBytes   = 8 << 20
)

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status"`
}

// Finding kinds (DESIGN §5).
const (
	FindingDoubleAdministration  = "double_administration"
	FindingMissingAdministration = "missing_administration"
	FindingUndocumentedVisit     = "undocumented_visit"
	FindingOutsideWindow         = "outside_window"
	FindingEmergencyAccess       = "emergency_access"
	FindingLateSync              = "late_sync"
	FindingSequenceGap           = "sequence_gap"
	FindingDuplicateSeq          = "duplicate_seq"
	FindingQuarantined           = "quarantined"
	FindingMissingCosignature    = "missing_cosignature"
	// As-needed (PRN) doses: two closer than the medication's minimum
	// interval, more than its maximum in 24 hours, and one whose effect
	// was not evaluated in time.
	FindingPRNInterval      = "prn_interval"
	FindingPRNMaxExceeded   = "prn_max_exceeded"
	FindingPRNEffectMissing = "prn_effect_missing"
	// FindingCosignerUnverified: a dose that needs a second signature
	// has none from a nurse of the patient's unit, on her own phone,
	// with a shift covering the dose (care/cosign.go).
	FindingCosignerUnverified = "cosigner_unverified"
)

// FindingKinds lists every finding kind in display order.
func FindingKinds() []string {
	return []string{FindingDoubleAdministration, FindingMissingAdministration, FindingUndocumentedVisit,
		FindingMissingCosignature, FindingOutsideWindow, FindingEmergencyAccess, FindingLateSync, FindingSequenceGap,
		FindingDuplicateSeq, FindingQuarantined, FindingPRNInterval, FindingPRNMaxExceeded, FindingPRNEffectMissing,
		FindingCosignerUnverified}
}

// Finding is something the coordinators must look at after an outage.
// Kind, RecordIDs, PatientID and Message are the contract of DESIGN §5;
// the other fields let a page explain it in the reader's language.
type Finding struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	RecordIDs   []string  `json:"record_ids"`
	PatientID   string    `json:"patient_id,omitempty"`
	UnitID      string    `json:"unit_id,omitempty"`
	VisitID     string    `json:"visit_id,omitempty"`
	ScheduleID  string    `json:"schedule_id,omitempty"`
	DeviceID    string    `json:"device_id,omitempty"`
	MissingSeqs []uint64  `json:"missing_seqs,omitempty"`
	At          time.Time `json:"at"`
	// Message is the finding in English, for logs and other systems.
	Message string `json:"message"`
	// Key and Args are the message for the office to translate: Key names
	// a catalogue entry ("finding.late_sync"), Args its named values.
	// Args ending in "_at" are RFC 3339 times the office shows in local
	// time; "author" and "worker" are user ids and "patient" a patient id,
	// which the office shows as names.
	Key      string            `json:"key,omitempty"`
	Args     map[string]string `json:"args,omitempty"`
	Resolved *Resolution       `json:"resolved,omitempty"`
}

// Resolution says who handled a finding, when, and how.
type Resolution struct {
	By      string    `json:"by"`
	Comment string    `json:"comment"`
	At      time.Time `json:"at"`
}

// FindingsResponse is the body of GET /api/v1/findings.
type FindingsResponse struct {
	Findings []Finding `json:"findings"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
	// Total is how many findings match the query's filters, of which
	// Findings is the page; Next is the cursor of the following page.
	Total int    `json:"total"`
	Next  string `json:"next,omitempty"`
}

// RecordView is a stored record as the coordinators' pages and other
// systems read it: what the device signed (Record) and what the server
// knows about it.
type RecordView struct {
	ID               string     `json:"id"`
	Type             string     `json:"type"`
	State            string     `json:"state"`
	UnitID           string     `json:"unit_id"`
	PatientID        string     `json:"patient_id"`
	PatientName      string     `json:"patient_name,omitempty"`
	AuthorID         string     `json:"author_id"`
	AuthorName       string     `json:"author_name,omitempty"`
	DeviceID         string     `json:"device_id"`
	DeviceLabel      string     `json:"device_label,omitempty"`
	Seq              uint64     `json:"seq"`
	CreatedAt        time.Time  `json:"created_at"`
	Received         time.Time  `json:"received"`
	Quarantined      bool       `json:"quarantined,omitempty"`
	Emergency        bool       `json:"emergency,omitempty"`
	EHRRef           string     `json:"ehr_ref,omitempty"`
	VoidReason       string     `json:"void_reason,omitempty"`
	ReconciledBy     string     `json:"reconciled_by,omitempty"`
	ReconciledByName string     `json:"reconciled_by_name,omitempty"`
	EnteredBy        string     `json:"entered_by,omitempty"`
	EnteredByName    string     `json:"entered_by_name,omitempty"`
	ReconciledAt     *time.Time `json:"reconciled_at,omitempty"`
	BundleIssuedAt   *time.Time `json:"bundle_issued_at,omitempty"`
	BundleExpiresAt  *time.Time `json:"bundle_expires_at,omitempty"`
	// Cosigns are, on one record's page, the cosign records linked to a
	// medication record, or the administration a cosign record co-signs.
	Cosigns []CosignLink `json:"cosigns,omitempty"`
	Record  *care.Record `json:"record,omitempty"`
	History []AuditEntry `json:"history,omitempty"`
	// DrillID names the drill the server counts the record in: a drill
	// record, never real documentation (the record's own drill_id is
	// only what the phone said).
	DrillID string `json:"drill_id,omitempty"`
}

// CosignLink is a record linked to another by a co-signing code: its id,
// author and time, and for a cosign record why it does not verify the
// dose (reconcile's CosignSelf, CosignNotNurse, CosignOutsideUnit,
// CosignNoShift), empty when it does.
type CosignLink struct {
	RecordID   string    `json:"record_id"`
	AuthorID   string    `json:"author_id"`
	AuthorName string    `json:"author_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Problem    string    `json:"problem,omitempty"`
}

// RecordsResponse is the body of GET /api/v1/records.
type RecordsResponse struct {
	Records []RecordView `json:"records"`
	Next    string       `json:"next,omitempty"`
	// Total is how many records match the filters, of which Records is
	// the page.
	Total int `json:"total"`
}

// ReconcileRequest is the body of POST /api/v1/records/{id}/reconcile, and,
// with IDs, of the bulk POST /api/v1/records/reconcile.
type ReconcileRequest struct {
	IDs       []string `json:"ids,omitempty"`
	Action    string   `json:"action"`
	EHRRef    string   `json:"ehr_ref,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	EnteredBy string   `json:"entered_by,omitempty"`
}

// ResolveRequest is the body of POST /api/v1/findings/{id}/resolve.
type ResolveRequest struct {
	Comment string `json:"comment"`
}

// AuditEntry is one line of the audit log.
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

// AuditResponse is the body of GET /api/v1/audit.
type AuditResponse struct {
	Entries []AuditEntry `json:"entries"`
	Head    uint64       `json:"head"`
}

// Dashboard counts records by state and findings by kind in a window.
type Dashboard struct {
	Since    time.Time      `json:"since"`
	Until    time.Time      `json:"until"`
	Records  int            `json:"records"`
	States   map[string]int `json:"states"`
	Types    map[string]int `json:"types"`
	Findings map[string]int `json:"findings"`
	Open     int            `json:"open_findings"`
}

// Directory names the units, people and patients a coordinator sees, for
// filters and for reading ids.
type Directory struct {
	Units    []care.Unit `json:"units"`
	Users    []Person    `json:"users"`
	Patients []Person    `json:"patients"`
}

// Person is an id with a name (and, for users, a role; for patients, a unit).
type Person struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Role care.Role `json:"role,omitempty"`
	Unit string    `json:"unit,omitempty"`
}

// Outage is a declared outage, as the coordinators' pages read it.
type Outage struct {
	ID          string     `json:"id"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end,omitempty"`
	StartedBy   string     `json:"started_by"`
	StartedName string     `json:"started_by_name,omitempty"`
	Note        string     `json:"note,omitempty"`
}

// OutagesResponse is the body of GET /api/v1/outage: the active outage (if
// any), the latest ones, and when the last announcement went out, so that
// the page can remind of the hourly status update.
type OutagesResponse struct {
	Current          *Outage    `json:"current,omitempty"`
	Outages          []Outage   `json:"outages"`
	LastAnnouncement *time.Time `json:"last_announcement,omitempty"`
}

// OutageRequest starts or ends an outage (POST /api/v1/outage).
type OutageRequest struct {
	Action string     `json:"action"` // "start" or "end"
	Note   string     `json:"note,omitempty"`
	At     *time.Time `json:"at,omitempty"` // when it began or ended; now when absent
}

// AnnouncementRequest posts a status message (POST /api/v1/announcements).
type AnnouncementRequest struct {
	Units []string `json:"units"`
	Level string   `json:"level"` // "info" or "important"
	Text  string   `json:"text"`
}

// AnnouncementsResponse lists announcements.
type AnnouncementsResponse struct {
	Announcements []care.Announcement `json:"announcements"`
}

// RoutinesResponse lists emergency routines (or one routine's versions).
type RoutinesResponse struct {
	Routines []care.Routine `json:"routines"`
}

// PlanProblem is one thing wrong with an imported plan.
type PlanProblem struct {
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column"`
	Problem string `json:"problem"`
	// Key and Args name the problem in the translation catalogue, as on
	// Error; absent for a problem of the file's form (CSV, JSON).
	Key  string   `json:"key,omitempty"`
	Args []string `json:"args,omitempty"`
}

// PlanReport answers POST /api/v1/plan: what was (or would have been)
// stored, and every problem; with any problem nothing is stored.
type PlanReport struct {
	Patients    int           `json:"patients"`
	Visits      int           `json:"visits"`
	Medications int           `json:"medications"`
	Routines    int           `json:"routines"`
	Stored      bool          `json:"stored"`
	Problems    []PlanProblem `json:"problems,omitempty"`
}

// PlanErrorBody is the error envelope of a refused plan, with the
// problems.
type PlanErrorBody struct {
	Error    Error         `json:"error"`
	Problems []PlanProblem `json:"problems"`
}

// PriorityEntry is one line of the priority list.
type PriorityEntry struct {
	Patient    care.Patient `json:"patient"`
	FirstVisit *time.Time   `json:"first_visit,omitempty"`
	Worker     string       `json:"worker,omitempty"`
	// Days, when the list was asked for a range (from, to), gives each
	// day's first visit in turn, the first day's being FirstVisit.
	Days []PriorityDay `json:"days,omitempty"`
}

// PriorityDay is a patient's first visit on one day of a range.
type PriorityDay struct {
	Date       string     `json:"date"` // YYYY-MM-DD
	FirstVisit *time.Time `json:"first_visit,omitempty"`
	Worker     string     `json:"worker,omitempty"`
}

// PriorityResponse is the body of GET /api/v1/priority.
type PriorityResponse struct {
	Patients []PriorityEntry `json:"patients"`
}

// UserView is a user as an admin sees it.
type UserView struct {
	care.User
	Devices []DeviceView `json:"devices,omitempty"`
}

// DeviceView is a registered phone.
type DeviceView struct {
	ID       string     `json:"id"`
	UserID   string     `json:"user_id"`
	Label    string     `json:"label"`
	Created  time.Time  `json:"created"`
	LastSeen time.Time  `json:"last_seen"`
	Revoked  *time.Time `json:"revoked,omitempty"`
}

// UsersResponse is the body of GET /api/v1/users. Collisions lists
// accounts whose usernames are one name once normalised (NFKC and case
// folding): accounts from before usernames were normalised, of which only
// one can log in until an admin renames the others.
type UsersResponse struct {
	Users      []UserView          `json:"users"`
	Collisions []UsernameCollision `json:"collisions,omitempty"`
}

// UsernameCollision is one such set of accounts: the normalised name,
// their ids and usernames in the same order, and the id of the one that
// logs in with the name ("" when none does).
type UsernameCollision struct {
	Normalized string   `json:"normalized"`
	UserIDs    []string `json:"user_ids"`
	Usernames  []string `json:"usernames"`
	LogsIn     string   `json:"logs_in,omitempty"`
}

// RenameUserRequest gives a user a new username
// (POST /api/v1/users/{id}/rename).
type RenameUserRequest struct {
	Username string `json:"username"`
}

// NewUserRequest creates a user (POST /api/v1/users).
type NewUserRequest struct {
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Role     care.Role `json:"role"`
	Units    []string  `json:"units"`
	Lang     string    `json:"lang,omitempty"`
	Password string    `json:"password"`
}

// PasswordRequest sets a new password (POST /api/v1/users/{id}/reset).
type PasswordRequest struct {
	Password string `json:"password"`
}
