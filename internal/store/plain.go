package store

import (
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plainjson"
)

// storedRecordFields are StoredRecord's fields for plainjson, in the
// struct's order (TestStoredRecordFields holds the list to the struct).
var storedRecordFields = []plainjson.Field[StoredRecord]{
	{Key: "id", String: func(r *StoredRecord, s []byte) { r.ID = string(s) }},
	{Key: "type", String: func(r *StoredRecord, s []byte) { r.Type = care.RecordType(s) }},
	{Key: "device_id", String: func(r *StoredRecord, s []byte) { r.DeviceID = string(s) }},
	{Key: "author_id", String: func(r *StoredRecord, s []byte) { r.AuthorID = string(s) }},
	{Key: "patient_id", String: func(r *StoredRecord, s []byte) { r.PatientID = string(s) }},
	{Key: "unit_id", String: func(r *StoredRecord, s []byte) { r.UnitID = string(s) }},
	{Key: "visit_id", String: func(r *StoredRecord, s []byte) { r.VisitID = string(s) }},
	{Key: "schedule_id", String: func(r *StoredRecord, s []byte) { r.ScheduleID = string(s) }},
	{Key: "medication", String: func(r *StoredRecord, s []byte) { r.Medication = string(s) }},
	{Key: "prn_id", String: func(r *StoredRecord, s []byte) { r.PRNID = string(s) }},
	{Key: "administration_id", String: func(r *StoredRecord, s []byte) { r.AdministrationID = string(s) }},
	{Key: "cosign_code", String: func(r *StoredRecord, s []byte) { r.CosignCode = string(s) }},
	{Key: "author_role", String: func(r *StoredRecord, s []byte) { r.AuthorRole = string(s) }},
	{Key: "status", String: func(r *StoredRecord, s []byte) { r.Status = string(s) }},
	{Key: "administered_at", TimePtr: func(r *StoredRecord) **time.Time { return &r.AdministeredAt }},
	{Key: "seq", Uint: func(r *StoredRecord) *uint64 { return &r.Seq }},
	{Key: "created_at", Time: func(r *StoredRecord) *time.Time { return &r.CreatedAt }},
	{Key: "received", Time: func(r *StoredRecord) *time.Time { return &r.Received }},
	{Key: "body_hash", String: func(r *StoredRecord, s []byte) { r.BodyHash = string(s) }},
	{Key: "bundle_id", String: func(r *StoredRecord, s []byte) { r.BundleID = string(s) }},
	{Key: "emergency", Bool: func(r *StoredRecord) *bool { return &r.Emergency }},
	{Key: "uncosigned", Bool: func(r *StoredRecord) *bool { return &r.Uncosigned }},
	{Key: "quarantined", Bool: func(r *StoredRecord) *bool { return &r.Quarantined }},
	{Key: "held_for", String: func(r *StoredRecord, s []byte) { r.HeldFor = string(s) }},
	{Key: "state", String: func(r *StoredRecord, s []byte) { r.State = string(s) }},
	{Key: "ehr_ref", String: func(r *StoredRecord, s []byte) { r.EHRRef = string(s) }},
	{Key: "void_reason", String: func(r *StoredRecord, s []byte) { r.VoidReason = string(s) }},
	{Key: "reconciled_by", String: func(r *StoredRecord, s []byte) { r.ReconciledBy = string(s) }},
	{Key: "entered_by", String: func(r *StoredRecord, s []byte) { r.EnteredBy = string(s) }},
	{Key: "reconciled_at", Time: func(r *StoredRecord) *time.Time { return &r.ReconciledAt }},
	{Key: "drill_id", String: func(r *StoredRecord, s []byte) { r.DrillID = string(s) }},
}

// DecodeStoredRecord decodes a stored record's JSON into r as DecodeJSON
// into a zero StoredRecord does (what r held before is gone). The form
// encoding/json writes, which is what the stores write, is read in one
// pass (plainjson): a desk's scans and an export decode every record
// they look at, and encoding/json's reflection was most of that work.
func DecodeStoredRecord(b []byte, r *StoredRecord) error {
	if plainjson.Decode(b, storedRecordFields, r) {
		return nil
	}
	return DecodeJSON(b, r)
}
