package badger

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/store/storetest"
)

// groupQueue holds the audit chain, which the group writer takes, so
// that PutRecords calls queue behind it.
func groupQueue(db *DB) storetest.GroupQueue {
	return storetest.GroupQueue{Hold: db.auditMu.Lock, Release: db.auditMu.Unlock, Queued: func() int {
		db.putsMu.Lock()
		defer db.putsMu.Unlock()
		return len(db.puts)
	}}
}

func groupRecord(id string, body []byte) store.StoredRecord {
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	return store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: 1,
		Body: body, BodyHash: id, State: store.StateNew, Received: at, CreatedAt: at}
}

// TestPutRecordsGroup: see storetest.PutRecordsGroup.
func TestPutRecordsGroup(t *testing.T) {
	db := openTest(t, t.TempDir())
	defer db.Close()
	var groups []int
	putGroupWrites = func(n int) { groups = append(groups, n) }
	defer func() { putGroupWrites = nil }()
	storetest.PutRecordsGroup(t, db, groupQueue(db),
		func(id string) store.StoredRecord { return groupRecord(id, []byte("{}")) },
		func() []int { return groups })
}

// TestPutRecordsGroupTooBig: a group too big for one transaction is
// written call by call, and every call is stored.
func TestPutRecordsGroupTooBig(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	var batches [][]store.StoredRecord
	var ctxs []context.Context
	big := bytes.Repeat([]byte("M1 1 L2 2 "), 100<<10) // 1 MB a record: ten calls pass Badger's batch limit
	for i := range 10 {
		batches = append(batches, []store.StoredRecord{groupRecord(fmt.Sprintf("big-%d", i), big)})
		ctxs = append(ctxs, ctx)
	}
	for i, err := range storetest.QueueCalls(t, db, groupQueue(db), ctxs, batches) {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if n, err := db.CountRecords(ctx); err != nil || n != 10 {
		t.Fatalf("%d records stored (%v), want 10", n, err)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
