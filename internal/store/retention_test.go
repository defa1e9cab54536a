package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPurgeReconciled(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	now := time.Now()
	var recs []StoredRecord
	for i, id := range []string{"old-entered", "old-void", "new-entered", "waiting"} {
		recs = append(recs, StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{}`), BodyHash: id, State: StateNew, Received: now.Add(-40 * 24 * time.Hour)})
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-31 * 24 * time.Hour)
	if _, err := db.Reconcile(ctx, []string{"old-entered"}, Reconciliation{Action: ActionEntered, By: "k", At: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, []string{"old-void"}, Reconciliation{Action: ActionVoid, Reason: "dup", By: "k", At: old}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, []string{"new-entered"}, Reconciliation{Action: ActionEntered, By: "k", At: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil || n != 2 {
		t.Fatalf("purged %d, %v", n, err)
	}
	cases := map[string]bool{"old-entered": false, "old-void": false, "new-entered": true, "waiting": true}
	for id, kept := range cases {
		_, err := db.StoredRecordByID(ctx, id)
		if kept != (err == nil) || (!kept && !errors.Is(err, ErrNotFound)) {
			t.Errorf("%s: kept=%v err=%v", id, kept, err)
		}
	}
	page, _, _ := db.ListRecords(ctx, RecordFilter{})
	if len(page) != 2 {
		t.Fatalf("the list shows %d records after the purge", len(page))
	}
	if seqs, _ := db.DeviceSeqs(ctx, "d"); len(seqs) != 4 {
		t.Fatalf("sequence numbers %v: a purge must not look like a lost record", seqs)
	}
	entries, _ := db.AuditLog(ctx, 1, 100)
	purges := 0
	for _, e := range entries {
		if e.Action == AuditPurge {
			purges++
		}
	}
	if purges != 2 {
		t.Fatalf("%d purge entries", purges)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now); n != 0 {
		t.Fatalf("a second purge removed %d", n)
	}
}
