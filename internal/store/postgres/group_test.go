package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
)

// queueCalls starts one PutRecords per batch on db while the test holds
// the node's write turn, waits until all of them are queued, and lets
// them go: the first to get the turn writes them as one group.
func queueCalls(t *testing.T, db *DB, ctxs []context.Context, batches [][]store.StoredRecord) []error {
	t.Helper()
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	db.writeMu.Lock()
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
			db.writeMu.Unlock()
			t.Fatalf("%d of %d calls queued", n, len(batches))
		}
	}
	db.writeMu.Unlock()
	wg.Wait()
	return errs
}

// storedAndAudited checks which of the ids are stored, that each stored
// one has exactly one audit entry and nothing refused has one, and that
// the chain verifies.
func storedAndAudited(t *testing.T, db *DB, want map[string]bool) {
	t.Helper()
	ctx := context.Background()
	for id, w := range want {
		if _, err := db.StoredRecordByID(ctx, id); (err == nil) != w {
			t.Errorf("record %s stored %v, want %v", id, err == nil, w)
		}
	}
	entries, err := db.AuditLog(ctx, 1, 1000)
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

// TestPutRecordsGroup: calls made at once on one node are written in one
// transaction, each still all or nothing and answered as alone: a call
// with an id the store holds, or that a call before it in the group
// stored, or that it holds twice, is ErrRecordExists and nothing of it is
// written; a call whose context ended while it waited is not written;
// each stored record has one audit entry and the chain verifies.
func TestPutRecordsGroup(t *testing.T) {
	ctx := context.Background()
	db := twoNodes(t)[0]
	now := time.Now().UTC()
	if err := db.PutRecords(ctx, []store.StoredRecord{feedRecord("held", 1, now)}, nil); err != nil {
		t.Fatal(err)
	}
	var groups []int
	putGroupWrites = func(n int) { groups = append(groups, n) }
	defer func() { putGroupWrites = nil }()
	gone, cancel := context.WithCancel(ctx)
	cancel()
	r := func(id string) store.StoredRecord { return feedRecord(id, 1, now) }
	batches := [][]store.StoredRecord{
		{r("a1"), r("a2")},
		{r("b1"), r("held")}, // the store holds one
		{r("c1"), r("c1")},   // one id twice
		{r("d1")},
		{r("e1")}, // its context ends while it waits
		{r("x1")},
		{r("x1"), r("x2")}, // x1 is another call's
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
	if (errs[5] == nil) == (errs[6] == nil) || !errors.Is(errors.Join(errs[5], errs[6]), store.ErrRecordExists) {
		t.Errorf("the calls sharing x1: %v and %v", errs[5], errs[6])
	}
	storedAndAudited(t, db, map[string]bool{"a1": true, "a2": true, "b1": false, "c1": false, "d1": true, "e1": false,
		"x1": true, "x2": errs[6] == nil})
}

// TestPutRecordsGroupRaced: another node takes an id of the group after
// the group checked its ids and before it inserts them. Nothing of the
// group is written in that transaction; each call is then written alone,
// so that only the call holding the taken id is refused.
func TestPutRecordsGroupRaced(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	db, other := nodes[0], nodes[1]
	now := time.Now().UTC()
	r := func(id string) store.StoredRecord { return feedRecord(id, 1, now) }
	raced := 0
	putGroupChecked = func() {
		raced++
		if raced == 1 {
			if err := other.PutRecords(ctx, []store.StoredRecord{r("b2")}, []store.Audit{{Actor: "d", Action: store.AuditSync, Subject: "b2"}}); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { putGroupChecked = nil }()
	errs := queueCalls(t, db, []context.Context{ctx, ctx, ctx}, [][]store.StoredRecord{{r("a1")}, {r("b1"), r("b2")}, {r("c1")}})
	if raced != 1 {
		t.Fatalf("the group checked its ids %d times, want once", raced)
	}
	for i, want := range []error{nil, store.ErrRecordExists, nil} {
		if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
			t.Errorf("call %d: %v, want %v", i, errs[i], want)
		}
	}
	storedAndAudited(t, db, map[string]bool{"a1": true, "b1": false, "b2": true, "c1": true})
}
