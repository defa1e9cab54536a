package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"beredskap/internal/care"
)

// plainRecordBodies are records as phones write them, of every type.
func plainRecordBodies(t testing.TB) [][]byte {
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	local := at.In(time.FixedZone("CET", 3600))
	base := care.Record{ID: "0190b6a2-0000-7000-8000-000000000001", DeviceID: "0190b6a2-0000-7000-8000-0000000000d1",
		AuthorID: "0190b6a2-0000-7000-8000-0000000000a1", PatientID: "0190b6a2-0000-7000-8000-0000000000b1", CreatedAt: at, Seq: 18446744073709551615}
	var recs []care.Record
	note := base
	note.Type, note.Text = care.RecordNote, "Ingen svar på dør, nøkkelboks brukt. «Godt» – 😀"
	escaped := note
	escaped.Text = "BT 120/80 <b>&amp;</b> \u2028 \"sitat\" \\"
	drill := note
	drill.DrillID = "0190b6a2-0000-7000-8000-0000000000d9"
	recs = append(recs, note, escaped, drill)
	med := base
	med.Type, med.ScheduleID, med.Medication, med.Dose, med.Route = care.RecordMedication, "0190b6a2-0000-7000-8000-0000000000c1", "Paracet", "500 mg", "oral"
	med.AdministeredAt, med.SignatureSVG, med.Status, med.Seq, med.CreatedAt = &local, `<svg viewBox="0 0 10 10"><path d="M0 0L10 10"/></svg>`, "given", 0, local
	med.CosignerID, med.CosignerName, med.CosignerSignatureSVG, med.EmergencyReason = "0190b6a2-0000-7000-8000-0000000000a2", "Kari", "<svg/>", "akutt"
	recs = append(recs, med)
	prn := med
	prn.ScheduleID, prn.PRNID, prn.Indication, prn.OverrideReason = "", "0190b6a2-0000-7000-8000-0000000000f1", "Uro", "Legen sa ja"
	eff := base
	eff.Type, eff.AdministrationID, eff.Effect, eff.At, eff.Text = care.RecordPRNEffect, med.ID, care.EffectPartial, &at, "Roligere"
	recs = append(recs, prn, eff)
	waiting := med
	waiting.CosignerID, waiting.CosignerName, waiting.CosignerSignatureSVG, waiting.CosignCode = "", "", "", "ABCD2345"
	cos := base
	cos.Type, cos.CosignCode, cos.ScheduleID, cos.Medication, cos.Dose, cos.SignatureSVG = care.RecordCosign, "ABCD2345", med.ScheduleID, "Morfin", "5 mg", "M1 1 L2 2"
	recs = append(recs, waiting, cos)
	dev := base
	dev.Type, dev.Category, dev.Severity, dev.Description, dev.ActionTaken, dev.VisitID = "deviation", "fall", "high", "Falt\tpå badet\n", "Ringte lege", "0190b6a2-0000-7000-8000-0000000000e1"
	recs = append(recs, dev)
	st := base
	st.Type, st.Status, st.Reason, st.At = "visit_status", "not_home", "ingen svar", &at
	recs = append(recs, st, care.Record{})
	var out [][]byte
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// The phones' form takes the direct path, and gives what encoding/json
// gives.
func TestPlainRecordPhonesForm(t *testing.T) {
	for _, b := range plainRecordBodies(t) {
		if _, ok := care.DecodePlain(b); !ok && !strings.ContainsAny(string(b), `\`) {
			t.Errorf("%s did not take the direct path", b)
		}
		recordSameAsJSON(t, b)
	}
}

// recordCases are bodies near the phones' form that encoding/json reads
// differently or refuses: each must come out as json decides.
var recordCases = []string{
	`{}`,
	`{"id":"x"}`,
	`{"id":"x","seq":1}`,
	`{"seq":1,"id":"x"}`,            // other order
	`{"id":"x","id":"y"}`,           // a key twice
	`{"ID":"x"}`,                    // a key in other case
	`{"id":"x","extra":1}`,          // an unknown key
	`{"id":"x"} `,                   // trailing space
	`{"id":"x"}x`,                   // trailing data
	`{"id":"x"}{}`,                  // a second value
	` {"id":"x"}`,                   // leading space
	`{"id": "x"}`,                   // white space
	`{"id":"x",}`,                   // a trailing comma
	`{"id":"x"`,                     // unterminated
	`{"id":"x}`,                     // unterminated string
	`{"id":null}`,                   // null
	`{"id":1}`,                      // a number for a string
	`{"seq":"1"}`,                   // a string for a number
	`{"seq":-1}`,                    // negative
	`{"seq":01}`,                    // a leading zero
	`{"seq":0}`,                     // zero
	`{"seq":1.5}`,                   // a fraction
	`{"seq":1e3}`,                   // an exponent
	`{"seq":18446744073709551616}`,  // too large
	`{"seq":}`,                      // no value
	`{"text":"a\"b"}`,               // an escaped quote
	`{"text":"a\u00e5"}`,            // an escape
	"{\"text\":\"a\tb\"}",           // a raw tab
	"{\"text\":\"a\xffb\"}",         // invalid UTF-8
	"{\"text\":\"a\xed\xa0\x80b\"}", // a surrogate in UTF-8
	`{"created_at":"2026-11-23T09:00:00Z"}`,
	`{"created_at":"2026-11-23T09:00:00.5+01:00"}`,
	`{"created_at":"2026-11-23 09:00:00Z"}`,      // not RFC 3339
	`{"created_at":"2026-11-23T09:00:00+24:00"}`, // an offset out of range
	`{"created_at":"2026-11-23T09:00:00,5Z"}`,    // a comma for the point
	`{"created_at":null}`,
	`{"created_at":""}`,
	`{"at":"2026-11-23T09:00:00Z"}`,
	`{"at":null}`,
	`{"administered_at":"x"}`,
	`{"type":"note","type":"medication"}`,
	`[]`,
	``,
	`{`,
	`{"":"x"}`,
}

func TestPlainRecordAsJSON(t *testing.T) {
	for _, c := range recordCases {
		recordSameAsJSON(t, []byte(c))
	}
}

func FuzzPlainRecord(f *testing.F) {
	for _, c := range recordCases {
		f.Add([]byte(c))
	}
	for _, b := range plainRecordBodies(f) {
		f.Add(b)
	}
	f.Fuzz(recordSameAsJSON)
}

// recordSameAsJSON checks that whatever the direct reader accepts,
// encoding/json's strict decoding accepts as the same record.
func recordSameAsJSON(t *testing.T, b []byte) {
	t.Helper()
	got, ok := care.DecodePlain(b)
	if !ok {
		return
	}
	want, err := decodeRecord(b)
	if err != nil {
		t.Fatalf("%q: read directly, json refuses it: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: read directly as %#v, json reads %#v", b, got, want)
	}
}
