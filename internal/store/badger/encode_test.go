package badger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// encoderPieces are the bits random strings are made of: plain text and
// every kind of character encoding/json treats on its own.
var encoderPieces = []string{"", "a", "0190b6a2-0000-7000-8000-000000000001", " ", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f",
	"\x7f", "ø", "Å", "😀", "\u2028", "\u2029", "\xff", "\xed\xa0\x80", "\ufffd", "/", "type=note patient=p", "%q"}

func randomString(r *rand.Rand) string {
	var b []byte
	for range r.IntN(6) {
		b = append(b, encoderPieces[r.IntN(len(encoderPieces))]...)
	}
	return string(b)
}

func randomTime(r *rand.Rand) time.Time {
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("", -90*60), time.Local}
	switch r.IntN(8) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // json refuses it
	case 2:
		return time.Date(2026, 12, 1, 6, 30, 0, 0, zones[r.IntN(len(zones))])
	}
	return time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
}

func randomStoredRecord(r *rand.Rand) store.StoredRecord {
	s := func() string { return randomString(r) }
	rec := store.StoredRecord{ID: s(), Type: care.RecordType(s()), DeviceID: s(), AuthorID: s(), PatientID: s(), UnitID: s(),
		VisitID: s(), ScheduleID: s(), Medication: s(), PRNID: s(), AdministrationID: s(), CosignCode: s(), AuthorRole: s(), Status: s(), Seq: r.Uint64() >> r.IntN(64), CreatedAt: randomTime(r),
		Received: randomTime(r), BodyHash: s(), BundleID: s(), Emergency: r.IntN(2) == 0, Uncosigned: r.IntN(2) == 0,
		Quarantined: r.IntN(2) == 0, HeldFor: s(), State: s(), EHRRef: s(), VoidReason: s(), ReconciledBy: s(), EnteredBy: s(),
		ReconciledAt: randomTime(r)}
	if r.IntN(2) == 0 {
		t := randomTime(r)
		rec.AdministeredAt = &t
	}
	if r.IntN(4) == 0 {
		rec.Seq = math.MaxUint64
	}
	return rec
}

func randomBytes(r *rand.Rand) []byte {
	if r.IntN(5) == 0 {
		return nil
	}
	b := make([]byte, r.IntN(100))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// oldHashEntry is hashEntry as it was written with encoding/json: every
// entry in the stores hashes to what it computed.
func oldHashEntry(e store.AuditEntry) string {
	b, _ := json.Marshal(struct {
		Seq     uint64 `json:"seq"`
		Time    string `json:"time"`
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Subject string `json:"subject"`
		Detail  string `json:"detail"`
		Prev    string `json:"prev"`
	}{e.Seq, e.Time.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Subject, e.Detail, e.Prev})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// The hand encoders write the bytes encoding/json writes, and refuse what
// it refuses, over random values of every field.
func TestEncodersMatchJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 1))
	same := func(what string, got []byte, gotErr error, v any) {
		t.Helper()
		want, wantErr := json.Marshal(v)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%s %#v: error %v, json: %v", what, v, gotErr, wantErr)
		}
		if wantErr == nil && !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got  %s\n json %s", what, got, want)
		}
	}
	for range 5000 {
		rec := randomStoredRecord(r)
		got, err := encodeStoredRecord(rec)
		same("stored record", got, err, rec)

		body, sig := randomBytes(r), randomBytes(r)
		same("record body", encodeRecordBody(body, sig), nil, recordBody{Body: body, Sig: sig})

		e := store.AuditEntry{Seq: r.Uint64() >> r.IntN(64), Time: randomTime(r), Actor: randomString(r), Action: randomString(r),
			Subject: randomString(r), Detail: randomString(r), Prev: randomString(r), Hash: randomString(r)}
		got, err = encodeAuditEntry(e)
		same("audit entry", got, err, e)
		if e.Time.Year() < 10000 {
			if h, old := hashEntry(e), oldHashEntry(e); h != old {
				t.Fatalf("audit entry %#v hashes to %s, before to %s", e, h, old)
			}
		}

		seq := r.Uint64() >> r.IntN(64)
		id, dev := randomString(r), randomString(r)
		if got, want := devSeqKey(dev, seq, id), fmt.Sprintf("recdevseq/%s/%020d/%s", dev, seq, id); got != want {
			t.Fatalf("device sequence key %q, want %q", got, want)
		}
		if got, want := auditKey(seq), fmt.Sprintf("audit/%020d", seq); got != want {
			t.Fatalf("audit key %q, want %q", got, want)
		}
		if got, want := auditSubjectKey(id, seq), fmt.Sprintf("auditsubj/%s/%020d", id, seq); got != want {
			t.Fatalf("audit subject key %q, want %q", got, want)
		}
	}
}
