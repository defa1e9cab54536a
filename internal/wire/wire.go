// Package wire is the v1 protocol between the phone and the server
// (DESIGN §5): request and response bodies, the error envelope and its codes,
// the shift bundle and the signed record envelope. Binary values are []byte,
// which encoding/json writes as standard base64 with padding, as the
// protocol asks.
package wire

import (
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
)

// Error is a protocol error: a code for programs and a message for people.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, message string) *Error { return &Error{Code: code, Message: message} }

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

// SyncRequest is the body of POST /api/v1/sync.
type SyncRequest struct {
	DeviceID string         `json:"device_id"`
	Records  []SealedRecord `json:"records"`
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
