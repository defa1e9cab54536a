package store

import (
	"time"

	"beredskap/internal/plainjson"
)

// storedRecordFields are StoredRecord's fields for plainjson, in the
// struct's order (TestStoredRecordFields holds the list to the struct).
var storedRecordFields = []plainjson.Field[StoredRecord]{
	{Key: "id", Str: func(r *StoredRecord) *string { return &r.ID }},
	{Key: "type", Str: func(r *StoredRecord) *string { return (*string)(&r.Type) }, Intern: true},
	{Key: "device_id", Str: func(r *StoredRecord) *string { return &r.DeviceID }, Intern: true},
	{Key: "author_id", Str: func(r *StoredRecord) *string { return &r.AuthorID }, Intern: true},
	{Key: "patient_id", Str: func(r *StoredRecord) *string { return &r.PatientID }, Intern: true},
	{Key: "unit_id", Str: func(r *StoredRecord) *string { return &r.UnitID }, Intern: true},
	{Key: "visit_id", Str: func(r *StoredRecord) *string { return &r.VisitID }},
	{Key: "schedule_id", Str: func(r *StoredRecord) *string { return &r.ScheduleID }},
	{Key: "medication", Str: func(r *StoredRecord) *string { return &r.Medication }, Intern: true},
	{Key: "prn_id", Str: func(r *StoredRecord) *string { return &r.PRNID }, Intern: true},
	{Key: "administration_id", Str: func(r *StoredRecord) *string { return &r.AdministrationID }},
	{Key: "cosign_code", Str: func(r *StoredRecord) *string { return &r.CosignCode }},
	{Key: "author_role", Str: func(r *StoredRecord) *string { return &r.AuthorRole }, Intern: true},
	{Key: "status", Str: func(r *StoredRecord) *string { return &r.Status }, Intern: true},
	{Key: "administered_at", TimePtr: func(r *StoredRecord) **time.Time { return &r.AdministeredAt }},
	{Key: "seq", Uint: func(r *StoredRecord) *uint64 { return &r.Seq }},
	{Key: "created_at", Time: func(r *StoredRecord) *time.Time { return &r.CreatedAt }},
	{Key: "received", Time: func(r *StoredRecord) *time.Time { return &r.Received }},
	{Key: "body_hash", Str: func(r *StoredRecord) *string { return &r.BodyHash }},
	{Key: "bundle_id", Str: func(r *StoredRecord) *string { return &r.BundleID }, Intern: true},
	{Key: "emergency", Bool: func(r *StoredRecord) *bool { return &r.Emergency }},
	{Key: "uncosigned", Bool: func(r *StoredRecord) *bool { return &r.Uncosigned }},
	{Key: "quarantined", Bool: func(r *StoredRecord) *bool { return &r.Quarantined }},
	{Key: "held_for", Str: func(r *StoredRecord) *string { return &r.HeldFor }, Intern: true},
	{Key: "state", Str: func(r *StoredRecord) *string { return &r.State }, Intern: true},
	{Key: "ehr_ref", Str: func(r *StoredRecord) *string { return &r.EHRRef }},
	{Key: "void_reason", Str: func(r *StoredRecord) *string { return &r.VoidReason }},
	{Key: "reconciled_by", Str: func(r *StoredRecord) *string { return &r.ReconciledBy }, Intern: true},
	{Key: "entered_by", Str: func(r *StoredRecord) *string { return &r.EnteredBy }, Intern: true},
	{Key: "reconciled_at", Time: func(r *StoredRecord) *time.Time { return &r.ReconciledAt }},
	{Key: "drill_id", Str: func(r *StoredRecord) *string { return &r.DrillID }, Intern: true},
}

// DecodeStoredRecord decodes a stored record's JSON into r as DecodeJSON
// into a zero StoredRecord does (what r held before is gone). The form
// encoding/json writes, which is what the stores write, is read in one
// pass (plainjson): a desk's scans and an export decode every record
// they look at, and encoding/json's reflection was most of that work.
func DecodeStoredRecord(b []byte, r *StoredRecord) error {
	return decodeStoredRecord(b, r, nil)
}

// A RecordDecoder decodes one stored record after the other as
// DecodeStoredRecord does, with the values that recur from record to
// record (types, states, units, devices, authors, patients) made once
// for all of them: a walk of a million records made most of its garbage
// of them. It is not safe for use by several goroutines at once.
type RecordDecoder struct {
	strs plainjson.Strings
}

// Decode is DecodeStoredRecord.
func (d *RecordDecoder) Decode(b []byte, r *StoredRecord) error {
	return decodeStoredRecord(b, r, &d.strs)
}

func decodeStoredRecord(b []byte, r *StoredRecord, st *plainjson.Strings) error {
	if plainjson.DecodeWith(b, storedRecordFields, r, st) {
		return nil
	}
	return DecodeJSON(b, r)
}
