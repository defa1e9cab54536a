package care

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// RecordType is the kind of thing written on the phone during an outage.
type RecordType string

// Record types of DESIGN §5.
const (
	RecordNote        RecordType = "note"
	RecordMedication  RecordType = "medication"
	RecordDeviation   RecordType = "deviation"
	RecordVisitStatus RecordType = "visit_status"
	RecordAccess      RecordType = "access"
	// RecordPRNEffect is the evaluation of an as-needed dose's effect,
	// linked to its medication record by AdministrationID.
	RecordPRNEffect RecordType = "prn_effect"
)

// RecordTypes lists every record type.
func RecordTypes() []RecordType {
	return []RecordType{RecordNote, RecordMedication, RecordDeviation, RecordVisitStatus, RecordAccess, RecordPRNEffect, RecordCosign}
}

// Administration statuses for medication records.
const (
	DoseGiven    = "given"
	DoseRefused  = "refused"
	DoseWithheld = "withheld"
	DoseNotGiven = "not_given"
)

// DoseStatuses lists the statuses a medication record may carry.
func DoseStatuses() []string { return []string{DoseGiven, DoseRefused, DoseWithheld, DoseNotGiven} }

// Visit statuses for visit_status records.
const (
	VisitStarted   = "started"
	VisitCompleted = "completed"
	VisitNotHome   = "not_home"
	VisitCancelled = "cancelled"
)

// VisitStatuses lists the statuses a visit_status record may carry.
func VisitStatuses() []string {
	return []string{VisitStarted, VisitCompleted, VisitNotHome, VisitCancelled}
}

// Deviation severities.
const (
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// Severities lists the severities a deviation may carry.
func Severities() []string { return []string{SeverityLow, SeverityMedium, SeverityHigh} }

// Limits on free text and signatures, so that one record cannot fill a phone
// or a server.
const (
	MaxTextBytes      = 16 << 10
	MaxShortBytes     = 512
	MaxSignatureBytes = 64 << 10
)

// MaxSeq bounds a record's per-device sequence number. A phone counts up
// by one for each record it writes, so no real device comes near it; the
// bound keeps a forged or corrupt number from driving the server's work
// on sequence gaps.
const MaxSeq uint64 = 1 << 32

// Record is what a worker or nurse writes offline: the record JSON of
// DESIGN §5. The fields after EmergencyReason belong to particular types;
// Status, Reason and At are shared by the types that use them.
type Record struct {
	ID              string     `json:"id"`
	Type            RecordType `json:"type"`
	DeviceID        string     `json:"device_id"`
	AuthorID        string     `json:"author_id"`
	PatientID       string     `json:"patient_id"`
	VisitID         string     `json:"visit_id,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	Seq             uint64     `json:"seq"`
	EmergencyReason string     `json:"emergency_reason,omitempty"`

	// note
	Text string `json:"text,omitempty"`

	// medication
	ScheduleID           string     `json:"schedule_id,omitempty"`
	Medication           string     `json:"medication,omitempty"`
	Dose                 string     `json:"dose,omitempty"`
	Route                string     `json:"route,omitempty"`
	AdministeredAt       *time.Time `json:"administered_at,omitempty"`
	SignatureSVG         string     `json:"signature_svg,omitempty"`
	CosignerID           string     `json:"cosigner_id,omitempty"`
	CosignerName         string     `json:"cosigner_name,omitempty"`
	CosignerSignatureSVG string     `json:"cosigner_signature_svg,omitempty"`
	// An as-needed dose names its PRN medication in the plan (PRNID),
	// the indication it was given for, and, when the phone warned that it
	// came too soon or over the day's maximum, why it was given anyway.
	PRNID          string `json:"prn_id,omitempty"`
	Indication     string `json:"indication,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`

	// prn_effect: the administration evaluated and what the dose did
	// (Text holds an optional remark, At the time of the evaluation).
	AdministrationID string `json:"administration_id,omitempty"`
	Effect           string `json:"effect,omitempty"`

	// cosign, and a medication record that waits for one: the code the
	// first phone showed (care/cosign.go).
	CosignCode string `json:"cosign_code,omitempty"`

	// deviation
	Category    string `json:"category,omitempty"`
	Severity    string `json:"severity,omitempty"`
	Description string `json:"description,omitempty"`
	ActionTaken string `json:"action_taken,omitempty"`

	// shared: medication and visit_status use Status; medication and
	// access use Reason; visit_status and access use At.
	Status string     `json:"status,omitempty"`
	Reason string     `json:"reason,omitempty"`
	At     *time.Time `json:"at,omitempty"`

	// DrillID names the preparedness drill the record was written in (the
	// phone's shift held it as active): a drill record, never counted as
	// real documentation. The server checks that the drill covers the
	// record's unit and time before it believes it.
	DrillID string `json:"drill_id,omitempty"`
}

// ValidationError says which field of a record or request is wrong and why.
// Problem is English, for logs and API users; Key names the same problem
// in the translation catalogue (a key under "error.field.") and Args fill
// its placeholders after the field, so that a user reads it in their
// language (Message).
type ValidationError struct {
	Field   string
	Problem string
	// Limit is the length limit the field went over, or 0.
	Limit int
	// Key is the catalogue key; empty means KeyInvalid.
	Key  string
	Args []string
}

// The catalogue keys of validation problems. Each message takes the
// field's name first and then the error's Args.
const (
	KeyInvalid    = "error.field.invalid"     // field
	KeyRequired   = "error.field.required"    // field
	KeyTooLong    = "error.field.too_long"    // field, limit in bytes
	KeyTooMany    = "error.field.too_many"    // field, limit in items
	KeyNotText    = "error.field.not_text"    // field
	KeyOneOf      = "error.field.one_of"      // field, the allowed values
	KeyCount      = "error.field.count"       // field, min, max
	KeyNameless   = "error.field.nameless"    // field (a contact without a name)
	KeyPhoneChars = "error.field.phone_chars" // field, the number
	KeyDate       = "error.field.date"        // field
	KeyRange      = "error.field.range"       // field, min, max
)

func (e *ValidationError) Error() string { return e.Field + ": " + e.Problem }

// Message returns the catalogue key of the problem and its arguments, the
// field's name first.
func (e *ValidationError) Message() (key string, args []string) {
	key = e.Key
	if key == "" {
		key = KeyInvalid
	}
	return key, append([]string{e.Field}, e.Args...)
}

func invalid(field, problem string) error { return &ValidationError{Field: field, Problem: problem} }

// invalidKey is a ValidationError with its catalogue key and arguments.
func invalidKey(field, problem, key string, args ...string) error {
	return &ValidationError{Field: field, Problem: problem, Key: key, Args: args}
}

// required is the problem of a field that must be filled in.
func required(field string) error { return invalidKey(field, "is required", KeyRequired) }

// notOneOf is the problem of a value outside its set.
func notOneOf(field string, set []string) error {
	return invalidKey(field, "must be one of "+strings.Join(set, ", "), KeyOneOf, strings.Join(set, ", "))
}

// IsValidation reports whether err is (or wraps) a ValidationError.
func IsValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// Validate checks that the record is complete and consistent for its type.
// It checks shape only; whether the author may write for the patient is the
// server's decision.
func (r *Record) Validate() error {
	if !IsUUID(r.ID) {
		return invalid("id", "must be a UUID")
	}
	if !IsUUID(r.DeviceID) {
		return invalid("device_id", "must be a UUID")
	}
	if r.AuthorID == "" {
		return required("author_id")
	}
	if r.PatientID == "" {
		return required("patient_id")
	}
	if r.CreatedAt.IsZero() {
		return required("created_at")
	}
	if r.Seq == 0 {
		return invalid("seq", "must be 1 or more")
	}
	if r.Seq > MaxSeq {
		return invalid("seq", fmt.Sprintf("must be %d or less", MaxSeq))
	}
	if err := r.CheckLimits(); err != nil {
		return err
	}
	switch r.Type {
	case RecordNote:
		if strings.TrimSpace(r.Text) == "" {
			return required("text")
		}
		return checkText("text", r.Text, MaxTextBytes)
	case RecordMedication:
		if err := r.validateMedication(); err != nil {
			return err
		}
		if err := r.validateCosignCode(); err != nil {
			return err
		}
		return r.validatePRNAdministration()
	case RecordCosign:
		return r.validateCosign()
	case RecordPRNEffect:
		return r.validatePRNEffect()
	case RecordDeviation:
		return r.validateDeviation()
	case RecordVisitStatus:
		if r.VisitID == "" {
			return required("visit_id")
		}
		if !oneOf(r.Status, VisitStatuses()) {
			return notOneOf("status", VisitStatuses())
		}
		if r.At == nil || r.At.IsZero() {
			return required("at")
		}
		return nil
	case RecordAccess:
		if strings.TrimSpace(r.Reason) == "" {
			return required("reason")
		}
		if r.At == nil || r.At.IsZero() {
			return required("at")
		}
		return checkText("reason", r.Reason, MaxShortBytes)
	default:
		return invalid("type", fmt.Sprintf("unknown record type %q", r.Type))
	}
}

func (r *Record) validateMedication() error {
	if strings.TrimSpace(r.Medication) == "" {
		return required("medication")
	}
	if strings.TrimSpace(r.Dose) == "" {
		return required("dose")
	}
	for _, f := range []struct{ name, v string }{{"medication", r.Medication}, {"dose", r.Dose}, {"route", r.Route}, {"cosigner_name", r.CosignerName}} {
		if err := checkText(f.name, f.v, MaxShortBytes); err != nil {
			return err
		}
	}
	if !oneOf(r.Status, DoseStatuses()) {
		return notOneOf("status", DoseStatuses())
	}
	if r.Status != DoseGiven && strings.TrimSpace(r.Reason) == "" {
		return invalidKey("reason", "is required unless the dose was given", KeyRequired)
	}
	if err := checkText("reason", r.Reason, MaxShortBytes); err != nil {
		return err
	}
	if r.AdministeredAt == nil || r.AdministeredAt.IsZero() {
		return required("administered_at")
	}
	if err := checkSignature("signature_svg", r.SignatureSVG, true); err != nil {
		return err
	}
	if r.CosignerSignatureSVG != "" || r.CosignerName != "" || r.CosignerID != "" {
		if r.CosignerName == "" && r.CosignerID == "" {
			return invalidKey("cosigner_name", "is required with a second signature", KeyRequired)
		}
		if err := checkSignature("cosigner_signature_svg", r.CosignerSignatureSVG, true); err != nil {
			return err
		}
	}
	return nil
}

func (r *Record) validateDeviation() error {
	if strings.TrimSpace(r.Category) == "" {
		return required("category")
	}
	if !oneOf(r.Severity, Severities()) {
		return notOneOf("severity", Severities())
	}
	if strings.TrimSpace(r.Description) == "" {
		return required("description")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"category", r.Category, MaxShortBytes}, {"description", r.Description, MaxTextBytes}, {"action_taken", r.ActionTaken, MaxTextBytes}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func checkText(field, v string, max int) error { return CheckLength(field, v, max) }

// CheckLimits checks every text of the record against its limit, whatever
// the record's type: a field that its type does not use may not carry a
// megabyte into the records list either. Validate calls it.
func (r *Record) CheckLimits() error {
	return checkFields(
		field{"id", r.ID, MaxIDBytes}, field{"device_id", r.DeviceID, MaxIDBytes}, field{"author_id", r.AuthorID, MaxIDBytes},
		field{"patient_id", r.PatientID, MaxIDBytes}, field{"visit_id", r.VisitID, MaxIDBytes},
		field{"emergency_reason", r.EmergencyReason, MaxShortBytes}, field{"text", r.Text, MaxTextBytes},
		field{"schedule_id", r.ScheduleID, MaxIDBytes}, field{"medication", r.Medication, MaxShortBytes},
		field{"dose", r.Dose, MaxShortBytes}, field{"route", r.Route, MaxShortBytes},
		field{"signature_svg", r.SignatureSVG, MaxSignatureBytes}, field{"cosigner_id", r.CosignerID, MaxIDBytes},
		field{"cosigner_name", r.CosignerName, MaxShortBytes}, field{"cosigner_signature_svg", r.CosignerSignatureSVG, MaxSignatureBytes},
		field{"category", r.Category, MaxShortBytes}, field{"severity", r.Severity, MaxIDBytes},
		field{"description", r.Description, MaxTextBytes}, field{"action_taken", r.ActionTaken, MaxTextBytes},
		field{"status", r.Status, MaxIDBytes}, field{"reason", r.Reason, MaxShortBytes},
		field{"prn_id", r.PRNID, MaxIDBytes}, field{"indication", r.Indication, MaxNameBytes},
		field{"override_reason", r.OverrideReason, MaxShortBytes}, field{"administration_id", r.AdministrationID, MaxIDBytes},
		field{"effect", r.Effect, MaxIDBytes}, field{"cosign_code", r.CosignCode, MaxIDBytes})
}

// checkSignature accepts SVG path data: commands and numbers only, so that a
// signature can never carry markup or script into a coordinator's page.
func checkSignature(field, v string, required bool) error {
	if v == "" {
		if required {
			return invalidKey(field, "a handwritten signature is required", KeyRequired)
		}
		return nil
	}
	if len(v) > MaxSignatureBytes {
		return &ValidationError{Field: field, Problem: fmt.Sprintf("is larger than %d bytes", MaxSignatureBytes), Limit: MaxSignatureBytes, Key: KeyTooLong, Args: []string{strconv.Itoa(MaxSignatureBytes)}}
	}
	if !IsPathData(v) {
		return invalid(field, "must be SVG path data")
	}
	return nil
}

// IsPathData reports whether s holds only SVG path commands, numbers and
// separators.
func IsPathData(s string) bool {
	hasDigit := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			hasDigit = true
		case strings.ContainsRune("MmLlHhVvCcSsQqTtAaZz.,-+eE \n\t", c):
		default:
			return false
		}
	}
	return hasDigit
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// IsUUID reports whether s is a UUID in its canonical 36-character form.
func IsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
