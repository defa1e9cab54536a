package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"beredskap/internal/care"
)

// TestDecodeJSONAsEncodingJSON: what encoding/json reads, DecodeJSON
// reads the same, into the types the store decodes; what it refuses,
// DecodeJSON refuses.
func TestDecodeJSONAsEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		in   string
	}{
		{"as stored", `{"id":"r1","type":"note","device_id":"d1","author_id":"u1","patient_id":"p1","unit_id":"n","seq":7,"created_at":"2026-12-01T06:30:00Z","received":"2026-12-01T06:31:02.123456789+01:00","body_hash":"aa","state":"new"}`},
		{"names in another case", `{"ID":"r1","Patient_ID":"p1","STATE":"entered"}`},
		{"a name without its underscore is not the field", `{"patientid":"p1","unitid":"n"}`},
		{"a name given twice: the last", `{"id":"r1","id":"r2"}`},
		{"invalid UTF-8", "{\"id\":\"r\xff1\"}"},
		{"escapes", `{"id":"r\u00e51\n\"","unit_id":"\ud83d\ude91"}`},
		{"null", `{"id":null,"received":null,"seq":null}`},
		{"unknown fields", `{"id":"r1","later":{"a":[1,2,{"b":null}]}}`},
		{"whitespace", " {\n\t\"id\" : \"r1\" } \n"},
		{"a time without a zone", `{"received":"2026-12-01T06:30:00"}`},
		{"a time that is not RFC 3339", `{"received":"1 December 2026"}`},
		{"a string for a number", `{"seq":"7"}`},
		{"a negative number for an unsigned one", `{"seq":-1}`},
		{"a number too large", `{"seq":18446744073709551616}`},
		{"cut off", `{"id":"r1","seq":7`},
		{"trailing data", `{"id":"r1"} {}`},
		{"not an object", `["r1"]`},
		{"empty", ``},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want, got StoredRecord
			werr := json.Unmarshal([]byte(c.in), &want)
			gerr := DecodeJSON([]byte(c.in), &got)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("encoding/json: %v; DecodeJSON: %v", werr, gerr)
			}
			if werr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("DecodeJSON read\n%+v\nencoding/json\n%+v", got, want)
			}
		})
	}
}

// TestDecodeJSONRecordBody: a device's record body, with the pointers and
// the fields that are only sometimes there, reads as encoding/json reads
// it, and a body that encoding/json refuses is refused.
func TestDecodeJSONRecordBody(t *testing.T) {
	at := time.Date(2026, 12, 1, 6, 30, 0, 0, time.UTC)
	full, err := json.Marshal(care.Record{Type: care.RecordMedication, PatientID: "p1", ScheduleID: "d1", Medication: "Insulin", Dose: "8 IE",
		Status: care.DoseGiven, AdministeredAt: &at, SignatureSVG: "M1 1 L2 2", CosignerName: "Kari Lunde"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		string(full),
		`{"type":"visit_status","administered_at":null,"at":"2026-12-01T07:00:00+01:00"}`,
		`{"type":"note","text":"spiste godt","Text":"drakk lite"}`,
		`{"type":"note","at":"2026-12-01T07:00:00+01:00","at":false}`,
	} {
		var want, got care.Record
		werr := json.Unmarshal([]byte(in), &want)
		gerr := DecodeJSON([]byte(in), &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: encoding/json: %v; DecodeJSON: %v", in, werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: DecodeJSON read\n%+v\nencoding/json\n%+v", in, got, want)
		}
	}
}

// BenchmarkDecodeJSON compares the store's reading of a stored record
// with v1's rules (the input checked whole first) and with
// encoding/json's own.
func BenchmarkDecodeJSON(b *testing.B) {
	r := StoredRecord{ID: "0b7a3c1e-5d1f-4b8e-9a77-2f6f1c9d8e01", Type: care.RecordNote, DeviceID: "d-0b7a3c1e-5d1f-4b8e-9a77-2f6f1c9d8e04",
		AuthorID: "a-0b7a3c1e-5d1f-4b8e-9a77-2f6f1c9d8e03", PatientID: "p-0b7a3c1e-5d1f-4b8e-9a77-2f6f1c9d8e02", UnitID: "n", Seq: 41,
		CreatedAt: time.Now(), Received: time.Now(), BodyHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", State: StateNew}
	v, err := json.Marshal(r)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func([]byte, any) error
	}{{"DecodeJSON", DecodeJSON}, {"v1-rules", jsonv1.Unmarshal}, {"encoding-json", json.Unmarshal}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var out StoredRecord
				if err := c.decode(v, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
