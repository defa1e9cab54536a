package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	for i := 0; i < 5; i++ {
		if err := db.Append(ctx, Audit{Actor: "u1", Action: AuditLogin, Detail: "attempt"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("verify: %d, %v", n, err)
	}
	db.Close()
	db = openTest(t, dir)
	defer db.Close()
	if n, err := db.VerifyAudit(ctx); err != nil || n != 5 {
		t.Fatalf("verify after reopen: %d, %v", n, err)
	}
	entries, _ := db.AuditLog(ctx, 1, 10)
	if len(entries) != 5 || entries[0].Prev != "" || entries[1].Prev != entries[0].Hash {
		t.Fatalf("entries %+v", entries)
	}
}

// rewrite changes one stored entry behind the store's back, as an insider
// with the database files could.
func rewrite(t *testing.T, db *DB, seq uint64, f func(e *AuditEntry) bool) {
	t.Helper()
	err := db.bdb.Update(func(txn *badger.Txn) error {
		var e AuditEntry
		if err := getJSON(txn, auditKey(seq), &e); err != nil {
			return err
		}
		if !f(&e) {
			return txn.Delete([]byte(auditKey(seq)))
		}
		b, _ := json.Marshal(e)
		return txn.Set([]byte(auditKey(seq)), b)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyFindsTheFirstBrokenEntry(t *testing.T) {
	cases := []struct {
		name   string
		seq    uint64
		change func(e *AuditEntry) bool // false deletes the entry
		want   uint64
	}{
		{"detail edited", 3, func(e *AuditEntry) bool { e.Detail = "nothing happened"; return true }, 3},
		{"actor edited and rehashed", 2, func(e *AuditEntry) bool { e.Actor = "x"; e.Hash = hashEntry(*e); return true }, 3},
		{"entry deleted", 4, func(*AuditEntry) bool { return false }, 4},
		{"last entry deleted", 6, func(*AuditEntry) bool { return false }, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := openTest(t, t.TempDir())
			defer db.Close()
			for i := 0; i < 6; i++ {
				if err := db.Append(ctx, Audit{Actor: "u", Action: AuditSync, Subject: "r"}); err != nil {
					t.Fatal(err)
				}
			}
			rewrite(t, db, c.seq, c.change)
			_, err := db.VerifyAudit(ctx)
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Seq != c.want {
				t.Fatalf("verify = %v, want the break at %d", err, c.want)
			}
		})
	}
}

func TestRecordsAreStoredOnce(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	r := StoredRecord{ID: "r1", DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n", Seq: 1, Body: []byte(`{}`), BodyHash: "h1", State: StateNew}
	if err := db.PutRecords(ctx, []StoredRecord{r}, []Audit{{Action: AuditSync, Subject: "r1"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutRecords(ctx, []StoredRecord{r}, nil); !errors.Is(err, ErrRecordExists) {
		t.Fatalf("second put: %v", err)
	}
	known, err := db.Known(ctx, map[string]string{"r1": "h1", "r2": "h2"})
	if err != nil || known["r1"] != RecordSame || known["r2"] != RecordUnknown {
		t.Fatalf("known %v %v", known, err)
	}
	if k, _ := db.Known(ctx, map[string]string{"r1": "other"}); k["r1"] != RecordDifferent {
		t.Fatalf("different hash: %v", k)
	}
	// A failed batch writes nothing, not even its first record.
	r2 := r
	r2.ID, r2.Seq = "r2", 2
	if err := db.PutRecords(ctx, []StoredRecord{r2, r}, nil); !errors.Is(err, ErrRecordExists) {
		t.Fatalf("batch with a taken id: %v", err)
	}
	if _, err := db.StoredRecordByID(ctx, "r2"); !errors.Is(err, ErrNotFound) {
		t.Fatal("part of a failed batch was stored")
	}
	if seqs, _ := db.DeviceSeqs(ctx, "d1"); len(seqs) != 1 || seqs[0] != 1 {
		t.Fatalf("seqs %v", seqs)
	}
	if n, _ := db.VerifyAudit(ctx); n != 1 {
		t.Fatalf("audit entries %d", n)
	}
}

func TestLargeBatchIsSplitAcrossTransactions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	body := make([]byte, 60<<10) // a record with a large signature
	var recs []StoredRecord
	var audit []Audit
	for i := 0; i < 400; i++ { // about 30 MiB with the JSON: beyond one transaction
		id := "r" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		recs = append(recs, StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1), Body: body, BodyHash: id})
		audit = append(audit, Audit{Action: AuditSync, Subject: id})
	}
	if err := db.PutRecords(ctx, recs, audit); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRecords(ctx); n != 400 {
		t.Fatalf("%d stored", n)
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n != 400 {
		t.Fatalf("audit %d %v", n, err)
	}
}
