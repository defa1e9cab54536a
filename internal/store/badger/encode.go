package badger

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"beredskap/internal/store"
)

// The values an ingest writes for every record (the stored record, its
// signed body, its audit entry and the entry's hash input) are encoded
// here by hand, byte for byte as encoding/json encodes them: its
// reflection cost more CPU per record than Badger's own write of it. The
// bytes on disk are the same (TestEncodersMatchJSON compares them with
// encoding/json's over random values), so reading is unchanged.

// appendJSONString appends s as encoding/json encodes a string. Printable
// ASCII without the characters json escapes is copied; anything else (an
// escape, HTML characters, non-ASCII, invalid UTF-8) is left to json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSONByte[s[i]] {
			enc, _ := json.Marshal(s) // a string always encodes
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSONByte tells the bytes encoding/json writes as they are and
// appendJSONString copies.
var plainJSONByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONTime appends t as encoding/json encodes a time.Time, which
// refuses a year it cannot write as json does.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	enc, err := t.MarshalJSON()
	if err != nil {
		return b, err
	}
	return append(b, enc...), nil
}

func appendJSONBytes(b []byte, v []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

func appendJSONUint(b []byte, v uint64) []byte { return strconv.AppendUint(b, v, 10) }

// appendPadded appends v in 20 decimal digits, as fmt's %020d does.
func appendPadded(b []byte, v uint64) []byte {
	var d [20]byte
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:]...)
}

// encodeRecordBody is json.Marshal(recordBody{Body: body, Sig: sig}).
func encodeRecordBody(body, sig []byte) []byte {
	b := make([]byte, 0, len(`{"body":"","sig":""}`)+base64.StdEncoding.EncodedLen(len(body))+base64.StdEncoding.EncodedLen(len(sig)))
	b = append(b, `{"body":`...)
	b = appendJSONBytes(b, body)
	b = append(b, `,"sig":`...)
	b = appendJSONBytes(b, sig)
	return append(b, '}')
}

// encodeStoredRecord is json.Marshal(r), in the struct's order with its
// omitempty and omitzero fields.
func encodeStoredRecord(r store.StoredRecord) ([]byte, error) {
	b := make([]byte, 0, 640)
	str := func(key, v string, omitEmpty bool) {
		if omitEmpty && v == "" {
			return
		}
		b = append(b, key...)
		b = appendJSONString(b, v)
	}
	flag := func(key string, v bool) {
		if v {
			b = append(b, key...)
			b = append(b, "true"...)
		}
	}
	var err error
	tm := func(key string, t time.Time) {
		if err == nil {
			b = append(b, key...)
			b, err = appendJSONTime(b, t)
		}
	}
	b = append(b, '{')
	str(`"id":`, r.ID, false)
	str(`,"type":`, string(r.Type), false)
	str(`,"device_id":`, r.DeviceID, false)
	str(`,"author_id":`, r.AuthorID, false)
	str(`,"patient_id":`, r.PatientID, false)
	str(`,"unit_id":`, r.UnitID, false)
	str(`,"visit_id":`, r.VisitID, true)
	str(`,"schedule_id":`, r.ScheduleID, true)
	str(`,"medication":`, r.Medication, true)
	str(`,"prn_id":`, r.PRNID, true)
	str(`,"administration_id":`, r.AdministrationID, true)
	str(`,"cosign_code":`, r.CosignCode, true)
	str(`,"author_role":`, r.AuthorRole, true)
	str(`,"status":`, r.Status, true)
	if r.AdministeredAt != nil {
		tm(`,"administered_at":`, *r.AdministeredAt)
	}
	b = append(b, `,"seq":`...)
	b = appendJSONUint(b, r.Seq)
	tm(`,"created_at":`, r.CreatedAt)
	tm(`,"received":`, r.Received)
	str(`,"body_hash":`, r.BodyHash, false)
	str(`,"bundle_id":`, r.BundleID, true)
	flag(`,"emergency":`, r.Emergency)
	flag(`,"uncosigned":`, r.Uncosigned)
	flag(`,"quarantined":`, r.Quarantined)
	str(`,"held_for":`, r.HeldFor, true)
	str(`,"state":`, r.State, false)
	str(`,"ehr_ref":`, r.EHRRef, true)
	str(`,"void_reason":`, r.VoidReason, true)
	str(`,"reconciled_by":`, r.ReconciledBy, true)
	str(`,"entered_by":`, r.EnteredBy, true)
	if !r.ReconciledAt.IsZero() {
		tm(`,"reconciled_at":`, r.ReconciledAt)
	}
	str(`,"drill_id":`, r.DrillID, true)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// encodeAuditEntry is json.Marshal(e).
func encodeAuditEntry(e store.AuditEntry) ([]byte, error) {
	b := make([]byte, 0, 320)
	b = append(b, `{"seq":`...)
	b = appendJSONUint(b, e.Seq)
	b = append(b, `,"time":`...)
	b, err := appendJSONTime(b, e.Time)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"actor":`...)
	b = appendJSONString(b, e.Actor)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, e.Action)
	if e.Subject != "" {
		b = append(b, `,"subject":`...)
		b = appendJSONString(b, e.Subject)
	}
	if e.Detail != "" {
		b = append(b, `,"detail":`...)
		b = appendJSONString(b, e.Detail)
	}
	b = append(b, `,"prev":`...)
	b = appendJSONString(b, e.Prev)
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, e.Hash)
	return append(b, '}'), nil
}
