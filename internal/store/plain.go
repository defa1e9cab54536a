package store

import "beredskap/internal/plainjson"

// storedRecordFields are StoredRecord's fields for plainjson, the values
// that recur from record to record interned.
var storedRecordFields = plainjson.FieldsOf[StoredRecord]("type", "device_id", "author_id", "patient_id", "unit_id", "medication",
	"prn_id", "author_role", "status", "bundle_id", "held_for", "state", "reconciled_by", "entered_by", "drill_id")

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
