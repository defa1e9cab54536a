package export

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// TestDecodeAsRecord: Decode reads every body as sr.Record() does, and as
// encoding/json does (both are on another JSON engine), but for the
// drawings, of which it keeps whether there is one; a body they refuse,
// it refuses too. A Decoder used for one body after the other gives
// each what Decode gives it.
func TestDecodeAsRecord(t *testing.T) {
	cases := []struct {
		name, body string
	}{
		{"medication, cosigned", `{"id":"r1","type":"medication","device_id":"d","author_id":"u","patient_id":"p","visit_id":"v","created_at":"2026-11-23T09:30:00Z","seq":7,` +
			`"schedule_id":"s","medication":"Insulin","dose":"8 IE","route":"subkutant","administered_at":"2026-11-23T09:31:00+01:00","signature_svg":"M1 1 L2 2",` +
			`"cosigner_id":"u2","cosigner_name":"Kari","cosigner_signature_svg":"M1 1 L3 3","status":"given"}`},
		{"no drawing", `{"id":"r2","type":"medication","medication":"Paracet","status":"refused","reason":"Sov"}`},
		{"empty drawing", `{"id":"r3","type":"medication","signature_svg":""}`},
		{"null drawing", `{"id":"r4","type":"medication","signature_svg":null}`},
		{"escaped drawing", `{"id":"r5","type":"medication","signature_svg":"\u0000"}`},
		{"drawing, then empty", `{"id":"r6","signature_svg":"M1 1","signature_svg":""}`},
		{"drawing, then null", `{"id":"r7","signature_svg":"M1 1","signature_svg":null}`},
		{"other case", `{"ID":"r8","Signature_SVG":"M1 1","TEXT":"x"}`},
		{"note with escapes", `{"id":"r9","type":"note","text":"=HYPERLINK(\"x\")\n\u00e6\u00f8\u00e5 \ud83d\ude00","at":"2026-11-23T09:30:00.123456789Z"}`},
		{"unknown fields", `{"id":"r10","type":"deviation","category":"fall","severity":"high","extra":{"a":[1,2,{}]}}`},
		{"drawing a number", `{"id":"r11","signature_svg":5}`},
		{"text a number", `{"id":"r12","text":5}`},
		{"not an object", `[1,2]`},
		{"truncated", `{"id":"r13","text":"ab`},
		{"trailing data", `{"id":"r14"} {}`},
		{"bad time", `{"id":"r15","created_at":"yesterday"}`},
		{"invalid utf-8", "{\"id\":\"r16\",\"text\":\"a\xffb\"}"},
	}
	// The phones' form, which is read in one pass.
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	for i, r := range []care.Record{
		{ID: "p1", Type: care.RecordMedication, DeviceID: "d", AuthorID: "u", PatientID: "p", CreatedAt: at, Seq: 3, Medication: "Insulin", Dose: "8 IE",
			AdministeredAt: &at, SignatureSVG: "M1 1 L2 2", CosignerID: "u2", CosignerName: "Kari", CosignerSignatureSVG: "M1 1 L3 3", Status: "given"},
		{ID: "p2", Type: care.RecordMedication, CreatedAt: at, CosignerSignatureSVG: "M1 1"},
		{ID: "p3", Type: care.RecordNote, CreatedAt: at, Text: "Spiste frokost. æøå"},
		{},
	} {
		body, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := care.DecodePlain(body); !ok {
			t.Fatalf("%s is not in the plain form", body)
		}
		cases = append(cases, struct{ name, body string }{fmt.Sprintf("plain %d", i), string(body)})
	}
	// One Decoder through all the cases: nothing of a body stays for the
	// next.
	var dec Decoder
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sr := store.StoredRecord{ID: "r", Body: []byte(c.body)}
			want, werr := sr.Record()
			var std care.Record
			serr := json.Unmarshal(sr.Body, &std)
			if (serr != nil) != (werr != nil) || (serr == nil && !reflect.DeepEqual(std, want)) {
				t.Fatalf("encoding/json gave %+v, %v; Record gave %+v, %v", std, serr, want, werr)
			}
			it, err := Decode(sr)
			if (err != nil) != (werr != nil) {
				t.Fatalf("Decode: %v, Record: %v", err, werr)
			}
			again, aerr := dec.Decode(sr)
			if (aerr != nil) != (err != nil) || !reflect.DeepEqual(again, it) {
				t.Fatalf("a Decoder used before gave %+v, %v; Decode gave %+v, %v", again, aerr, it, err)
			}
			if err != nil {
				return
			}
			signed := want.SignatureSVG != ""
			want.SignatureSVG, want.CosignerSignatureSVG = "", ""
			if !reflect.DeepEqual(it.Record, want) || it.Signed != signed || !reflect.DeepEqual(it.Stored, sr) {
				t.Fatalf("Decode gave\n%+v signed=%v\nRecord gave\n%+v signed=%v", it.Record, it.Signed, want, signed)
			}
		})
	}
	if _, err := Decode(store.StoredRecord{ID: "r"}); err == nil {
		t.Fatal("a record without its body decoded")
	}
}

// TestAppendJSONString: the fullUrl is written as json.Marshal writes
// it, whatever the id holds.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "urn:uuid:0193a7c2-1111-7222-8333-444455556666", "a_b.c:D-9", "a b", `a"b`, `a\b`, "<&>", "æøå", "a\u2028b", "a\x00b", "a\xffb", "/x"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSONString([]byte("x"), s)
		if err != nil || string(got) != "x"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, %v; want x%s", s, got, err, want)
		}
	}
}
