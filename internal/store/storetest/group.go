package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"beredskap/internal/store"
)

// GroupQueue lets a test line PutRecords calls up behind a store's group
// writer (calls made at once are written in one transaction): Hold takes
// what the writer needs, so that calls queue; Release lets them go; Queued
// says how many wait.
type GroupQueue struct {
	Hold, Release func()
	Queued        func() int
}

// QueueCalls starts one PutRecords per batch while q holds the writer,
// waits until all of them are queued, and lets them go: the first to get
// the writer writes them as one group. It returns each call's error.
func QueueCalls(t *testing.T, s store.Store, q GroupQueue, ctxs []context.Context, batches [][]store.StoredRecord) []error {
	t.Helper()
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	q.Hold()
	for i := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var audit []store.Audit
			for _, r := range batches[i] {
				audit = append(audit, store.Audit{Actor: "d", Action: store.AuditSync, Subject: r.ID})
			}
			errs[i] = s.PutRecords(ctxs[i], batches[i], audit)
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		n := q.Queued()
		if n == len(batches) {
			break
		}
		if time.Now().After(deadline) {
			q.Release()
			t.Fatalf("%d of %d calls queued", n, len(batches))
		}
	}
	q.Release()
	wg.Wait()
	return errs
}

// StoredAndAudited checks which of the ids are stored, that each stored
// one has exactly one audit entry and nothing refused has one, and that
// the chain verifies.
func StoredAndAudited(t *testing.T, s store.Store, want map[string]bool) {
	t.Helper()
	ctx := context.Background()
	for id, w := range want {
		if _, err := s.StoredRecordByID(ctx, id); (err == nil) != w {
			t.Errorf("record %s stored %v, want %v", id, err == nil, w)
		}
	}
	entries, err := s.AuditLog(ctx, 1, 1000)
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
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// PutRecordsGroup: calls made at once are written in one transaction,
// each still all or nothing and answered as alone: a call with an id the
// store holds, or that a call before it in the group stored, or that it
// holds twice, is ErrRecordExists and nothing of it is written; a call
// whose context ended while it waited is not written; each stored record
// has one audit entry and the chain verifies. rec makes a record with an
// id; groups returns how many calls each group transaction wrote.
func PutRecordsGroup(t *testing.T, s store.Store, q GroupQueue, rec func(id string) store.StoredRecord, groups func() []int) {
	ctx := context.Background()
	if err := s.PutRecords(ctx, []store.StoredRecord{rec("held")}, nil); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	batches := [][]store.StoredRecord{
		{rec("a1"), rec("a2")},
		{rec("b1"), rec("held")}, // the store holds one
		{rec("c1"), rec("c1")},   // one id twice
		{rec("d1")},
		{rec("e1")}, // its context ends while it waits
		{rec("x1")},
		{rec("x1"), rec("x2")}, // x1 is another call's
	}
	ctxs := []context.Context{ctx, ctx, ctx, ctx, gone, ctx, ctx}
	errs := QueueCalls(t, s, q, ctxs, batches)
	if g := groups(); len(g) != 1 || g[0] != len(batches)-1 {
		t.Fatalf("group transactions of %v calls, want one of %d", g, len(batches)-1)
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
	StoredAndAudited(t, s, map[string]bool{"a1": true, "a2": true, "b1": false, "c1": false, "d1": true, "e1": false,
		"x1": true, "x2": errs[6] == nil})
}
