package badger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
)

// queueCalls starts one PutRecords per batch while the test holds the
// audit chain, waits until all of them are queued, and lets them go: the
// first to get the lock writes them as one group.
func queueCalls(t *testing.T, db *DB, ctxs []context.Context, batches [][]store.StoredRecord) []error {
	t.Helper()
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	db.auditMu.Lock()
	for i := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var audit []store.Audit
			for _, r := range batches[i] {
				audit = append(audit, store.Audit{Actor: "d", Action: store.AuditSync, Subject: r.ID})
			}
			errs[i] = db.PutRecords(ctxs[i], batches[i], audit)
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		db.putsMu.Lock()
		n := len(db.puts)
		db.putsMu.Unlock()
		if n == len(batches) {
			break
		}
		if time.Now().After(deadline) {
			db.auditMu.Unlock()
			t.Fatalf("%d of %d calls queued", n, len(batches))
		}
	}
	db.auditMu.Unlock()
	wg.Wait()
	return errs
}

func groupRecord(id string, body []byte) store.StoredRecord {
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	return store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: 1,
		Body: body, BodyHash: id, State: store.StateNew, Received: at, CreatedAt: at}
}

// TestPutRecordsGroup: calls made at once are written in one transaction,
// each still all or nothing and answered as alone: a call with an id the
// store holds, or that a call before it in the group stored, or that it
// holds twice, is ErrRecordExists and nothing of it is written; a call
// whose context ended while it waited is not written; the chain verifies.
func TestPutRecordsGroup(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	if err := db.PutRecords(ctx, []store.StoredRecord{groupRecord("held", []byte("{}"))}, nil); err != nil {
		t.Fatal(err)
	}
	var groups []int
	putGroupWrites = func(n int) { groups = append(groups, n) }
	defer func() { putGroupWrites = nil }()
	gone, cancel := context.WithCancel(ctx)
	cancel()
	batches := [][]store.StoredRecord{
		{groupRecord("a1", []byte("{}")), groupRecord("a2", []byte("{}"))},
		{groupRecord("b1", []byte("{}")), groupRecord("held", []byte("{}"))}, // the store holds one
		{groupRecord("c1", []byte("{}")), groupRecord("c1", []byte("{}"))},   // one id twice
		{groupRecord("d1", []byte("{}"))},
		{groupRecord("e1", []byte("{}"))}, // its context ends while it waits
		{groupRecord("x1", []byte("{}"))},
		{groupRecord("x1", []byte("{}")), groupRecord("x2", []byte("{}"))}, // x1 is another call's
	}
	ctxs := []context.Context{ctx, ctx, ctx, ctx, gone, ctx, ctx}
	errs := queueCalls(t, db, ctxs, batches)
	if len(groups) != 1 || groups[0] != len(batches)-1 {
		t.Fatalf("group transactions of %v calls, want one of %d", groups, len(batches)-1)
	}
	for i, want := range []error{nil, store.ErrRecordExists, store.ErrRecordExists, nil, context.Canceled} {
		if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
			t.Errorf("call %d: %v, want %v", i, errs[i], want)
		}
	}
	// Of the two calls with x1, exactly one is stored, whole.
	if (errs[5] == nil) == (errs[6] == nil) || !errors.Is(errors.Join(errs[5], errs[6]), store.ErrRecordExists) {
		t.Errorf("the calls sharing x1: %v and %v", errs[5], errs[6])
	}
	stored := map[string]bool{}
	for _, id := range []string{"a1", "a2", "b1", "c1", "d1", "e1", "x1", "x2"} {
		_, err := db.StoredRecordByID(ctx, id)
		stored[id] = err == nil
	}
	want := map[string]bool{"a1": true, "a2": true, "b1": false, "c1": false, "d1": true, "e1": false, "x1": true, "x2": errs[6] == nil}
	for id, w := range want {
		if stored[id] != w {
			t.Errorf("record %s stored %v, want %v", id, stored[id], w)
		}
	}
	// One audit entry per record stored, none for what was refused.
	entries, err := db.AuditLog(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]int{}
	for _, e := range entries {
		if e.Action == store.AuditSync {
			audited[e.Subject]++
		}
	}
	for id, w := range want {
		if n := audited[id]; (n == 1) != w || n > 1 {
			t.Errorf("record %s has %d audit entries, stored %v", id, n, w)
		}
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
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
	for i, err := range queueCalls(t, db, ctxs, batches) {
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
