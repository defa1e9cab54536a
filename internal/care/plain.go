package care

import (
	"time"

	"beredskap/internal/plainjson"
)

// PlainFields are Record's fields for plainjson, in the struct's order:
// a record body in the form encoding/json writes (the phones' form) is
// read with them in one pass, at the ingest and in the exports.
// TestPlainFields holds the list to the struct.
var PlainFields = []plainjson.Field[Record]{
	{Key: "id", Str: func(r *Record) *string { return &r.ID }},
	{Key: "type", Str: func(r *Record) *string { return (*string)(&r.Type) }, Intern: true},
	{Key: "device_id", Str: func(r *Record) *string { return &r.DeviceID }, Intern: true},
	{Key: "author_id", Str: func(r *Record) *string { return &r.AuthorID }, Intern: true},
	{Key: "patient_id", Str: func(r *Record) *string { return &r.PatientID }, Intern: true},
	{Key: "visit_id", Str: func(r *Record) *string { return &r.VisitID }},
	{Key: "created_at", Time: func(r *Record) *time.Time { return &r.CreatedAt }},
	{Key: "seq", Uint: func(r *Record) *uint64 { return &r.Seq }},
	{Key: "emergency_reason", Str: func(r *Record) *string { return &r.EmergencyReason }},
	{Key: "text", Str: func(r *Record) *string { return &r.Text }},
	{Key: "schedule_id", Str: func(r *Record) *string { return &r.ScheduleID }},
	{Key: "medication", Str: func(r *Record) *string { return &r.Medication }, Intern: true},
	{Key: "dose", Str: func(r *Record) *string { return &r.Dose }, Intern: true},
	{Key: "route", Str: func(r *Record) *string { return &r.Route }, Intern: true},
	{Key: "administered_at", TimePtr: func(r *Record) **time.Time { return &r.AdministeredAt }},
	{Key: "signature_svg", Str: func(r *Record) *string { return &r.SignatureSVG }},
	{Key: "cosigner_id", Str: func(r *Record) *string { return &r.CosignerID }, Intern: true},
	{Key: "cosigner_name", Str: func(r *Record) *string { return &r.CosignerName }, Intern: true},
	{Key: "cosigner_signature_svg", Str: func(r *Record) *string { return &r.CosignerSignatureSVG }},
	{Key: "prn_id", Str: func(r *Record) *string { return &r.PRNID }, Intern: true},
	{Key: "indication", Str: func(r *Record) *string { return &r.Indication }, Intern: true},
	{Key: "override_reason", Str: func(r *Record) *string { return &r.OverrideReason }},
	{Key: "administration_id", Str: func(r *Record) *string { return &r.AdministrationID }},
	{Key: "effect", Str: func(r *Record) *string { return &r.Effect }},
	{Key: "cosign_code", Str: func(r *Record) *string { return &r.CosignCode }},
	{Key: "category", Str: func(r *Record) *string { return &r.Category }, Intern: true},
	{Key: "severity", Str: func(r *Record) *string { return &r.Severity }, Intern: true},
	{Key: "description", Str: func(r *Record) *string { return &r.Description }},
	{Key: "action_taken", Str: func(r *Record) *string { return &r.ActionTaken }},
	{Key: "status", Str: func(r *Record) *string { return &r.Status }, Intern: true},
	{Key: "reason", Str: func(r *Record) *string { return &r.Reason }},
	{Key: "at", TimePtr: func(r *Record) **time.Time { return &r.At }},
	{Key: "drill_id", Str: func(r *Record) *string { return &r.DrillID }, Intern: true},
}

// DecodePlain decodes a record body in the form encoding/json writes a
// Record in, and reports whether it had that form (plainjson.Decode); a
// body it refuses goes to encoding/json, which decides.
func DecodePlain(b []byte) (Record, bool) {
	var r Record
	ok := plainjson.Decode(b, PlainFields, &r)
	return r, ok
}
