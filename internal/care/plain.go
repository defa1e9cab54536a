package care

import (
	"sync"

	"beredskap/internal/plainjson"
)

// PlainFields returns Record's fields for plainjson: a record body in the
// form encoding/json writes (the phones' form) is read with them in one
// pass, at the ingest and in the exports. The values that recur from
// record to record are interned. They are made at the first call, so
// that the phone's build, which never reads a body so, links none of it.
func PlainFields() []plainjson.Field[Record] {
	plain.once.Do(func() {
		plain.fields = plainjson.FieldsOf[Record]("type", "device_id", "author_id", "patient_id", "medication", "dose", "route",
			"cosigner_id", "cosigner_name", "prn_id", "indication", "category", "severity", "status", "drill_id")
	})
	return plain.fields
}

var plain struct {
	once   sync.Once
	fields []plainjson.Field[Record]
}

// DecodePlain decodes a record body in the form encoding/json writes a
// Record in, and reports whether it had that form (plainjson.Decode); a
// body it refuses goes to encoding/json, which decides.
func DecodePlain(b []byte) (Record, bool) {
	var r Record
	ok := plainjson.Decode(b, PlainFields(), &r)
	return r, ok
}
