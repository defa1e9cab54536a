package ingest

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"beredskap/internal/care"
)

// recordField is one field of care.Record as encoding/json writes it: its
// key and where its value goes.
type recordField struct {
	key  string
	str  func(*care.Record) *string
	time func(*care.Record) *time.Time
	ptr  func(*care.Record) **time.Time
	uint func(*care.Record) *uint64
}

// recordFields are care.Record's fields in the order of the struct, which
// is the order encoding/json writes them in. TestRecordFieldsMatchStruct
// holds the list to the struct's tags.
var recordFields = []recordField{
	{key: "id", str: func(r *care.Record) *string { return &r.ID }},
	{key: "type", str: func(r *care.Record) *string { return (*string)(&r.Type) }},
	{key: "device_id", str: func(r *care.Record) *string { return &r.DeviceID }},
	{key: "author_id", str: func(r *care.Record) *string { return &r.AuthorID }},
	{key: "patient_id", str: func(r *care.Record) *string { return &r.PatientID }},
	{key: "visit_id", str: func(r *care.Record) *string { return &r.VisitID }},
	{key: "created_at", time: func(r *care.Record) *time.Time { return &r.CreatedAt }},
	{key: "seq", uint: func(r *care.Record) *uint64 { return &r.Seq }},
	{key: "emergency_reason", str: func(r *care.Record) *string { return &r.EmergencyReason }},
	{key: "text", str: func(r *care.Record) *string { return &r.Text }},
	{key: "schedule_id", str: func(r *care.Record) *string { return &r.ScheduleID }},
	{key: "medication", str: func(r *care.Record) *string { return &r.Medication }},
	{key: "dose", str: func(r *care.Record) *string { return &r.Dose }},
	{key: "route", str: func(r *care.Record) *string { return &r.Route }},
	{key: "administered_at", ptr: func(r *care.Record) **time.Time { return &r.AdministeredAt }},
	{key: "signature_svg", str: func(r *care.Record) *string { return &r.SignatureSVG }},
	{key: "cosigner_id", str: func(r *care.Record) *string { return &r.CosignerID }},
	{key: "cosigner_name", str: func(r *care.Record) *string { return &r.CosignerName }},
	{key: "cosigner_signature_svg", str: func(r *care.Record) *string { return &r.CosignerSignatureSVG }},
	{key: "prn_id", str: func(r *care.Record) *string { return &r.PRNID }},
	{key: "indication", str: func(r *care.Record) *string { return &r.Indication }},
	{key: "override_reason", str: func(r *care.Record) *string { return &r.OverrideReason }},
	{key: "administration_id", str: func(r *care.Record) *string { return &r.AdministrationID }},
	{key: "effect", str: func(r *care.Record) *string { return &r.Effect }},
	{key: "cosign_code", str: func(r *care.Record) *string { return &r.CosignCode }},
	{key: "category", str: func(r *care.Record) *string { return &r.Category }},
	{key: "severity", str: func(r *care.Record) *string { return &r.Severity }},
	{key: "description", str: func(r *care.Record) *string { return &r.Description }},
	{key: "action_taken", str: func(r *care.Record) *string { return &r.ActionTaken }},
	{key: "status", str: func(r *care.Record) *string { return &r.Status }},
	{key: "reason", str: func(r *care.Record) *string { return &r.Reason }},
	{key: "at", ptr: func(r *care.Record) **time.Time { return &r.At }},
	{key: "drill_id", str: func(r *care.Record) *string { return &r.DrillID }},
}

// plainRecord decodes a record body if it has the form encoding/json
// writes a care.Record in, and reports whether it had: one object, the
// keys spelled as the struct's tags, each at most once and in the
// struct's order, every value a string without escapes or control
// characters in valid UTF-8 (a time as time.Time reads it) or, for seq, a
// plain decimal number, and nothing after the object. For such a body
// encoding/json's strict decoding gives exactly this record, without its
// two scans of every byte; any other body (white space, escapes, null,
// other order or case, an unknown key, a value json would refuse or read
// differently) reports false and goes to encoding/json, which decides.
func plainRecord(b []byte) (care.Record, bool) {
	var r care.Record
	rest, ok := bytes.CutPrefix(b, []byte("{"))
	if !ok {
		return r, false
	}
	if string(rest) == "}" {
		return r, true
	}
	next := 0 // the first field a key may name: keys come in struct order
	for {
		var key []byte
		if rest, ok = bytes.CutPrefix(rest, []byte(`"`)); !ok {
			return r, false
		}
		if key, rest, ok = cutPlainJSONString(rest); !ok {
			return r, false
		}
		if rest, ok = bytes.CutPrefix(rest, []byte(":")); !ok {
			return r, false
		}
		f := next
		for f < len(recordFields) && recordFields[f].key != string(key) {
			f++
		}
		if f == len(recordFields) {
			return r, false
		}
		next = f + 1
		field := recordFields[f]
		if field.uint != nil {
			n := 0
			for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
				n++
			}
			// JSON allows no leading zero; ParseUint refuses what is too large.
			if n == 0 || n > 1 && rest[0] == '0' {
				return r, false
			}
			v, err := strconv.ParseUint(string(rest[:n]), 10, 64)
			if err != nil {
				return r, false
			}
			*field.uint(&r), rest = v, rest[n:]
		} else {
			literal := rest
			var s []byte
			if rest, ok = bytes.CutPrefix(rest, []byte(`"`)); !ok {
				return r, false
			}
			if s, rest, ok = cutPlainJSONString(rest); !ok {
				return r, false
			}
			literal = literal[:len(s)+2] // with its quotes, as json hands it to UnmarshalJSON
			switch {
			case field.str != nil:
				*field.str(&r) = string(s)
			case field.time != nil:
				if err := field.time(&r).UnmarshalJSON(literal); err != nil {
					return r, false
				}
			default:
				t := new(time.Time)
				if err := t.UnmarshalJSON(literal); err != nil {
					return r, false
				}
				*field.ptr(&r) = t
			}
		}
		if next, more := bytes.CutPrefix(rest, []byte(",")); more {
			rest = next
			continue
		}
		return r, string(rest) == "}"
	}
}

// cutPlainJSONString returns a JSON string's contents up to its closing
// quote if encoding/json would decode them as they are: no escape, no
// control character, valid UTF-8.
func cutPlainJSONString(b []byte) (s, rest []byte, ok bool) {
	end := bytes.IndexByte(b, '"')
	if end < 0 {
		return nil, nil, false
	}
	s = b[:end]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return nil, nil, false
	}
	for _, c := range s {
		if c < 0x20 {
			return nil, nil, false
		}
	}
	return s, b[end+1:], true
}
