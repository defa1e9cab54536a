package ingest

import (
	"encoding/json"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// boxKeys opens records sealed to a test key.
type boxKeys struct{ pub, priv []byte }

func (k boxKeys) OpenRecord(b []byte) ([]byte, error) { return seal.OpenBox(k.pub, k.priv, b) }

// FuzzParseRecord feeds arbitrary bytes to the record decoder: it must
// never panic, and whatever it accepts must be a valid record.
func FuzzParseRecord(f *testing.F) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	good, _ := json.Marshal(care.Record{ID: "0190b6a2-0000-7000-8000-000000000001", Type: care.RecordNote,
		DeviceID: "0190b6a2-0000-7000-8000-0000000000d1", AuthorID: "u", PatientID: "p", CreatedAt: at, Seq: 1, Text: "x"})
	f.Add(good)
	f.Add([]byte(`{"type":"medication","signature_svg":"<svg>"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseRecord(body)
		if err == nil {
			if verr := r.Validate(); verr != nil {
				t.Fatalf("accepted an invalid record: %v", verr)
			}
		}
	})
}

// FuzzOpenEnvelope feeds arbitrary sealed bytes (and bytes sealed around
// arbitrary envelopes) through the envelope opening of a sync.
func FuzzOpenEnvelope(f *testing.F) {
	pub, priv, err := seal.NewBoxKey()
	if err != nil {
		f.Fatal(err)
	}
	devPub, devPriv, _ := seal.NewSigningKey()
	keys := boxKeys{pub, priv}
	dev := store.Device{ID: "0190b6a2-0000-7000-8000-0000000000d1", UserID: "u", PublicKey: devPub}
	devKey, err := NewDeviceKey(devPub)
	if err != nil {
		f.Fatal(err)
	}
	body := []byte(`{"id":"0190b6a2-0000-7000-8000-000000000001"}`)
	sealed, _ := seal.SealRecord(body, devPriv, pub)
	f.Add(sealed, []byte(`{"body":"eA==","sig":"eA=="}`))
	f.Add([]byte{}, []byte(`{}`))
	f.Fuzz(func(t *testing.T, raw, envelope []byte) {
		item := wire.SealedRecord{ID: "0190b6a2-0000-7000-8000-000000000001", Sealed: raw}
		if _, res := open(keys, dev, devKey, item); res == nil {
			t.Fatal("random bytes opened as a record signed by the device")
		}
		wrapped, err := seal.SealTo(pub, envelope)
		if err != nil {
			t.Fatal(err)
		}
		item.Sealed = wrapped
		if _, res := open(keys, dev, devKey, item); res == nil {
			t.Fatal("an envelope without the device's signature was accepted")
		}
	})
}
