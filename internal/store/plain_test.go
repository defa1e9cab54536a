package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/plainjson"
)

func storedRecordCases(t testing.TB) [][]byte {
	at := time.Date(2026, 11, 23, 9, 30, 0, 123, time.FixedZone("CET", 3600))
	full := StoredRecord{ID: "r1", Type: care.RecordMedication, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", VisitID: "v",
		ScheduleID: "s", Medication: "Insulin", PRNID: "prn", AdministrationID: "a", CosignCode: "c", AuthorRole: "nurse", Status: "given",
		AdministeredAt: &at, Seq: 1 << 60, CreatedAt: at, Received: at.UTC(), BodyHash: "h", BundleID: "b", Emergency: true, Uncosigned: true,
		Quarantined: true, HeldFor: "revoked", State: StateEntered, EHRRef: "EPJ-1", VoidReason: "x", ReconciledBy: "k", EnteredBy: "k",
		ReconciledAt: at, DrillID: "drill", Body: []byte("not stored here"), Sig: []byte("nor this")}
	var out [][]byte
	for _, r := range []StoredRecord{full, {}, {ID: "r2", Type: care.RecordNote, State: StateNew, CreatedAt: at}, {ID: "æøå", Seq: 0}} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{`{"id":"x","ID":"y"}`, `{"emergency":false}`, `{"emergency":null}`, `{"seq":"1"}`, `{"id":"<\u003e"}`,
		`{"administered_at":null}`, `{"received":"2026-11-23T09:30:00Z","created_at":"2026-11-23T09:30:00Z"}`, `{"body":"eA=="}`} {
		out = append(out, []byte(s))
	}
	return out
}

// TestDecodeStoredRecord: DecodeStoredRecord gives what DecodeJSON gives
// into a zero record, for the stores' form (read in one pass: the first
// four cases) and any other, whatever r held before.
func TestDecodeStoredRecord(t *testing.T) {
	plain := 0
	for _, b := range storedRecordCases(t) {
		if sameStoredRecord(t, b) {
			plain++
		}
	}
	if plain < 4 {
		t.Fatalf("%d of the cases read in one pass, want the four json.Marshal wrote and more", plain)
	}
}

func FuzzDecodeStoredRecord(f *testing.F) {
	for _, b := range storedRecordCases(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameStoredRecord(t, b) })
}

// sameStoredRecord checks DecodeStoredRecord against DecodeJSON on b and
// reports whether b was read in one pass.
func sameStoredRecord(t *testing.T, b []byte) bool {
	t.Helper()
	var want StoredRecord
	werr := DecodeJSON(b, &want)
	got := StoredRecord{ID: "left over", Body: []byte("x"), Emergency: true}
	gerr := DecodeStoredRecord(b, &got)
	if (gerr != nil) != (werr != nil) {
		t.Fatalf("%q: DecodeStoredRecord: %v, DecodeJSON: %v", b, gerr, werr)
	}
	if werr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: DecodeStoredRecord gave %#v, DecodeJSON %#v", b, got, want)
	}
	var d RecordDecoder
	for range 2 { // the second time from the values the first one kept
		with := StoredRecord{State: "left over"}
		if err := d.Decode(b, &with); (err != nil) != (werr != nil) || werr == nil && !reflect.DeepEqual(with, want) {
			t.Fatalf("%q: a RecordDecoder gave %#v, %v; DecodeJSON %#v, %v", b, with, err, want, werr)
		}
	}
	var r StoredRecord
	return plainjson.Decode(b, storedRecordFields, &r)
}
