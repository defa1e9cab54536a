package export

import (
	"bytes"
	"fmt"
	"slices"

	"beredskap/internal/care"
	"beredskap/internal/plainjson"
	"beredskap/internal/store"
)

// Decode reads the record the device signed out of a stored record with
// its body, as the writers need it: the same as sr.Record(), but for the
// drawings of the signatures, which no column or resource carries (the
// CSV says only whether there is one). A medication record's drawings
// are most of its body; made into strings, they were most of an
// export's garbage, and the collector's work with them most of its
// time near the server's memory limit.
func Decode(sr store.StoredRecord) (Item, error) {
	var d Decoder
	return d.Decode(sr)
}

// Decoder decodes one record after the other as Decode does, into the
// same place: a record made for each was garbage of its own.
type Decoder struct {
	r    exportRecord
	rec  care.Record
	strs plainjson.Strings // the values that recur, made once
}

// Decode is the package's Decode.
func (d *Decoder) Decode(sr store.StoredRecord) (Item, error) {
	if len(sr.Body) == 0 {
		return Item{}, fmt.Errorf("decode record %s: body not loaded", sr.ID)
	}
	// The phones' form, read in one pass: the drawing's only mark is
	// whether there is one.
	if plainjson.DecodeWith(sr.Body, exportFields, &d.rec, &d.strs) {
		signed := d.rec.SignatureSVG != ""
		d.rec.SignatureSVG = ""
		return Item{Stored: sr, Record: d.rec, Signed: signed}, nil
	}
	d.r = exportRecord{} // what the last body set and this one has not
	if err := store.DecodeJSON(sr.Body, &d.r); err != nil {
		return Item{}, fmt.Errorf("decode record %s: %w", sr.ID, err)
	}
	return Item{Stored: sr, Record: d.r.Record, Signed: bool(d.r.SignatureSVG)}, nil
}

// exportFields are care.PlainFields but for the drawings, of which no
// string is made: a signature that is there sets SignatureSVG to a mark
// Decode takes away, a co-signer's is skipped.
var exportFields = func() []plainjson.Field[care.Record] {
	f := slices.Clone(care.PlainFields())
	for i := range f {
		switch f[i].Key {
		case "signature_svg":
			f[i].Str, f[i].String = nil, func(r *care.Record, s []byte) {
				if len(s) > 0 {
					r.SignatureSVG = "drawn"
				}
			}
		case "cosigner_signature_svg":
			f[i].Str, f[i].String = nil, func(*care.Record, []byte) {}
		}
	}
	return f
}()

// exportRecord is care.Record with its drawings read as whether they are
// there: the outer fields take their JSON names from the embedded ones.
type exportRecord struct {
	care.Record
	SignatureSVG         drawn `json:"signature_svg,omitempty"`
	CosignerSignatureSVG drawn `json:"cosigner_signature_svg,omitempty"`
}

// drawn is a string of which only whether it is empty is kept. Decoded
// into a string, a value is empty when it is "" or null (which leaves the
// string as it was, empty); any other JSON string decodes to at least one
// character.
type drawn bool

func (d *drawn) UnmarshalJSON(v []byte) error {
	switch {
	case bytes.Equal(v, []byte("null")):
		return nil // as into a string: left as it was
	case len(v) >= 2 && v[0] == '"':
		*d = len(v) > 2
		return nil
	}
	return fmt.Errorf("a signature is a string, not %.20s", v)
}
