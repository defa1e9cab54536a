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
	{Key: "id", String: func(r *Record, s []byte) { r.ID = string(s) }},
	{Key: "type", String: func(r *Record, s []byte) { r.Type = RecordType(s) }},
	{Key: "device_id", String: func(r *Record, s []byte) { r.DeviceID = string(s) }},
	{Key: "author_id", String: func(r *Record, s []byte) { r.AuthorID = string(s) }},
	{Key: "patient_id", String: func(r *Record, s []byte) { r.PatientID = string(s) }},
	{Key: "visit_id", String: func(r *Record, s []byte) { r.VisitID = string(s) }},
	{Key: "created_at", Time: func(r *Record) *time.Time { return &r.CreatedAt }},
	{Key: "seq", Uint: func(r *Record) *uint64 { return &r.Seq }},
	{Key: "emergency_reason", String: func(r *Record, s []byte) { r.EmergencyReason = string(s) }},
	{Key: "text", String: func(r *Record, s []byte) { r.Text = string(s) }},
	{Key: "schedule_id", String: func(r *Record, s []byte) { r.ScheduleID = string(s) }},
	{Key: "medication", String: func(r *Record, s []byte) { r.Medication = string(s) }},
	{Key: "dose", String: func(r *Record, s []byte) { r.Dose = string(s) }},
	{Key: "route", String: func(r *Record, s []byte) { r.Route = string(s) }},
	{Key: "administered_at", TimePtr: func(r *Record) **time.Time { return &r.AdministeredAt }},
	{Key: "signature_svg", String: func(r *Record, s []byte) { r.SignatureSVG = string(s) }},
	{Key: "cosigner_id", String: func(r *Record, s []byte) { r.CosignerID = string(s) }},
	{Key: "cosigner_name", String: func(r *Record, s []byte) { r.CosignerName = string(s) }},
	{Key: "cosigner_signature_svg", String: func(r *Record, s []byte) { r.CosignerSignatureSVG = string(s) }},
	{Key: "prn_id", String: func(r *Record, s []byte) { r.PRNID = string(s) }},
	{Key: "indication", String: func(r *Record, s []byte) { r.Indication = string(s) }},
	{Key: "override_reason", String: func(r *Record, s []byte) { r.OverrideReason = string(s) }},
	{Key: "administration_id", String: func(r *Record, s []byte) { r.AdministrationID = string(s) }},
	{Key: "effect", String: func(r *Record, s []byte) { r.Effect = string(s) }},
	{Key: "cosign_code", String: func(r *Record, s []byte) { r.CosignCode = string(s) }},
	{Key: "category", String: func(r *Record, s []byte) { r.Category = string(s) }},
	{Key: "severity", String: func(r *Record, s []byte) { r.Severity = string(s) }},
	{Key: "description", String: func(r *Record, s []byte) { r.Description = string(s) }},
	{Key: "action_taken", String: func(r *Record, s []byte) { r.ActionTaken = string(s) }},
	{Key: "status", String: func(r *Record, s []byte) { r.Status = string(s) }},
	{Key: "reason", String: func(r *Record, s []byte) { r.Reason = string(s) }},
	{Key: "at", TimePtr: func(r *Record) **time.Time { return &r.At }},
	{Key: "drill_id", String: func(r *Record, s []byte) { r.DrillID = string(s) }},
}

// DecodePlain decodes a record body in the form encoding/json writes a
// Record in, and reports whether it had that form (plainjson.Decode); a
// body it refuses goes to encoding/json, which decides.
func DecodePlain(b []byte) (Record, bool) {
	var r Record
	ok := plainjson.Decode(b, PlainFields, &r)
	return r, ok
}
