package badger

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// rewrite changes one stored entry behind the store's back, as an insider
// with the database files could.
func rewrite(t *testing.T, db *DB, seq uint64, f func(e *store.AuditEntry) bool) {
	t.Helper()
	err := db.bdb.Update(func(txn *badger.Txn) error {
		var e store.AuditEntry
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
		change func(e *store.AuditEntry) bool // false deletes the entry
		want   uint64
	}{
		{"detail edited", 3, func(e *store.AuditEntry) bool { e.Detail = "nothing happened"; return true }, 3},
		{"actor edited and rehashed", 2, func(e *store.AuditEntry) bool { e.Actor = "x"; e.Hash = hashEntry(*e); return true }, 3},
		{"entry deleted", 4, func(*store.AuditEntry) bool { return false }, 4},
		{"last entry deleted", 6, func(*store.AuditEntry) bool { return false }, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := openTest(t, t.TempDir())
			defer db.Close()
			for i := 0; i < 6; i++ {
				if err := db.Append(ctx, store.Audit{Actor: "u", Action: store.AuditSync, Subject: "r"}); err != nil {
					t.Fatal(err)
				}
			}
			rewrite(t, db, c.seq, c.change)
			_, err := db.VerifyAudit(ctx)
			var ce *store.ChainError
			if !errors.As(err, &ce) || ce.Seq != c.want {
				t.Fatalf("verify = %v, want the break at %d", err, c.want)
			}
		})
	}
}
