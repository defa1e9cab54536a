package badger

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"beredskap/internal/store"
)

// TestFlippedByteIsNotServed: a byte of a stored record changed on disk
// (a failing disk, or someone with the encrypted files: AES-CTR does not
// authenticate) is never served as the record: the block's checksum is
// checked as it is read, and the read fails.
func TestFlippedByteIsNotServed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const text = "Astrid fikk 5 mg morfin kl 14:05 av sykepleier Lund"
	body := []byte(`{"text":"` + text + `"}`)
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	// Records around it, so that its block is one of many in the
	// table (neither the first nor the last, which opening reads).
	var recs []store.StoredRecord
	for i := range 2000 {
		id := fmt.Sprintf("r%04d", i)
		b := []byte(fmt.Sprintf(`{"text":"Tilsyn %d, alt vel."}`, i))
		if i == 1000 {
			id, b = "r1", body
		}
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: b, BodyHash: id, State: store.StateNew, Received: at, CreatedAt: at})
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // the memtable goes into a table
		t.Fatal(err)
	}
	stored := []byte(base64.StdEncoding.EncodeToString(body))
	path := fileWith(t, dir, string(stored))
	if filepath.Ext(path) != ".sst" {
		t.Fatalf("the record is in %q, not in a table", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, stored) + len(stored)/2
	raw[i] ^= 0x01
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if r, err := db.StoredRecordByID(ctx, "r1"); err == nil {
		t.Fatalf("the changed record was served: %q", r.Body)
	}
	err = db.WalkRecords(ctx, store.RecordFilter{}, func(r store.StoredRecord) error {
		if r.ID == "r1" {
			t.Errorf("the export gave the changed record: %q", r.Body)
		}
		return nil
	})
	if err == nil {
		t.Error("the export of a changed table did not fail")
	}
}
