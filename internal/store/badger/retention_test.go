package badger

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// TestPurgeLeavesTheFiles: a purged record's text is gone from every file
// of the store (write-ahead log, tables, value log), not only from its
// view, while a kept record's text is still found there, which shows the
// search would find it. A purge interrupted after its transaction is
// finished by the next one.
func TestPurgeLeavesTheFiles(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	old := now.Add(-31 * 24 * time.Hour)
	body := func(text string) []byte { return []byte(`{"text":"` + text + `"}`) }
	record := func(id, text string) store.StoredRecord {
		return store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: 1,
			Body: body(text), BodyHash: id, State: store.StateNew, Received: now.Add(-40 * 24 * time.Hour)}
	}
	// The store keeps a body as base64 in JSON: that is what is searched.
	stored := func(text string) string { return base64.StdEncoding.EncodeToString(body(text)) }
	const (
		purged = "Ragnhild falt i badet og fikk et kutt over øyet"
		kept   = "Torbjørn ba om ekstra tilsyn i natt"
	)
	for _, c := range []struct {
		name        string
		interrupted bool
	}{{"purge", false}, {"purge interrupted after its transaction", true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			// Snappy would hide text in the tables from the search.
			db, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.PutRecords(ctx, []store.StoredRecord{record("a1", purged), record("b2", kept)}, nil); err != nil {
				t.Fatal(err)
			}
			for id, at := range map[string]time.Time{"a1": old, "b2": now} {
				if _, err := db.Reconcile(ctx, []string{id}, store.Reconciliation{Action: store.ActionEntered, By: "k", At: at}); err != nil {
					t.Fatal(err)
				}
			}
			if c.interrupted {
				if n, err := db.purgeBatch(ctx, []string{"a1", "b2"}, now.Add(-30*24*time.Hour), now); err != nil || n != 1 {
					t.Fatalf("marked %d, %v", n, err)
				}
				// The purge stopped here: nothing reads the record any more,
				// though its old values are still in the files.
				if _, err := db.StoredRecordByID(ctx, "a1"); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("the marked record before its drop: %v", err)
				}
				if n, err := db.CountRecords(ctx); err != nil || n != 1 {
					t.Fatalf("%d records counted before the drop (%v)", n, err)
				}
			}
			n, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
			if want := map[bool]int{false: 1, true: 0}[c.interrupted]; err != nil || n != want {
				t.Fatalf("purged %d, %v; want %d", n, err, want)
			}
			if _, err := db.StoredRecordByID(ctx, "a1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("purged record: %v", err)
			}
			// Sent again by a phone that never heard the answer: a
			// duplicate, not a new record; another body under its id is a
			// conflict, and the id cannot be stored again.
			known, err := db.Known(ctx, map[string]string{"a1": "a1"})
			if err != nil || known["a1"] != store.RecordSame {
				t.Fatalf("the purged record sent again: %v %v", known, err)
			}
			if known, _ := db.Known(ctx, map[string]string{"a1": "other"}); known["a1"] != store.RecordDifferent {
				t.Fatalf("another body under the purged id: %v", known)
			}
			if err := db.PutRecords(ctx, []store.StoredRecord{record("a1", purged)}, nil); !errors.Is(err, store.ErrRecordExists) {
				t.Fatalf("storing the purged id again: %v", err)
			}
			if err := db.view(ctx, func(txn *badger.Txn) error {
				if left := scanKeys(txn, "recpurge/", "", ""); len(left) != 0 {
					t.Errorf("marks left after the drop: %v", left)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if f := fileWith(t, dir, stored(purged)); f != "" {
				t.Errorf("the purged record's text is still in %s", f)
			}
			if fileWith(t, dir, stored(kept)) == "" {
				t.Error("the kept record's text is in no file: the search cannot see")
			}
			db, err = Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.StoredRecordByID(ctx, "b2"); err != nil {
				t.Fatalf("kept record after reopening: %v", err)
			}
			if _, err := db.VerifyAudit(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWritesWaitForTheDrop: records synced while a purge drops others from
// the files are stored, not refused (Badger refuses writes during a drop;
// the store holds them until it is done).
func TestWritesWaitForTheDrop(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	now := time.Now()
	ids := reconciledLongAgo(t, db, 3*purgeBatchSize, now)
	done := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				id := fmt.Sprintf("new-%d-%05d", w, i)
				r := store.StoredRecord{ID: id, DeviceID: fmt.Sprintf("w%d", w), AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
					Body: []byte(`{}`), BodyHash: id, State: store.StateNew, Received: now}
				if err := db.PutRecords(ctx, []store.StoredRecord{r}, nil); err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
					return
				}
				written.Add(1)
			}
		}(w)
	}
	n, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err != nil || n != len(ids) {
		t.Fatalf("purged %d of %d: %v", n, len(ids), err)
	}
	if written.Load() == 0 {
		t.Fatal("no write ran beside the purge")
	}
	count, err := db.CountRecords(ctx)
	if err != nil || int64(count) != written.Load() {
		t.Fatalf("%d records stored, %d written beside the purge (%v)", count, written.Load(), err)
	}
}

// TestCloseDuringAPurge: a server shutting down while the purge drops
// records waits for the drop in progress, and the next start finishes
// what is left.
func TestCloseDuringAPurge(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	now := time.Now()
	reconciledLongAgo(t, db, 3*purgeBatchSize, now)
	purged := make(chan error, 1)
	go func() {
		_, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
		purged <- err
	}()
	// Close once the first batch is marked, while its drop may be running.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var marked bool
		if err := db.view(ctx, func(txn *badger.Txn) error {
			marked = len(scanKeys(txn, "recgone/", "", "")) > 0
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if marked || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	<-purged // an error or not: the store was closed under it
	db = openTest(t, dir)
	defer db.Close()
	if _, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountRecords(ctx); err != nil || n != 0 {
		t.Fatalf("%d records left after the next purge (%v)", n, err)
	}
	if err := db.view(ctx, func(txn *badger.Txn) error {
		if left := scanKeys(txn, "recpurge/", "", ""); len(left) != 0 {
			t.Errorf("%d marks left", len(left))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// reconciledLongAgo stores n records received 40 days before now and
// entered 31 days before, all due for a 30-day purge, and returns their ids.
func reconciledLongAgo(t *testing.T, db *DB, n int, now time.Time) []string {
	t.Helper()
	ctx := context.Background()
	var recs []store.StoredRecord
	var ids []string
	for i := range n {
		id := fmt.Sprintf("old-%04d", i)
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{}`), BodyHash: id, State: store.StateNew, Received: now.Add(-40 * 24 * time.Hour)})
		ids = append(ids, id)
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Reconcile(ctx, ids, store.Reconciliation{Action: store.ActionEntered, By: "k", At: now.Add(-31 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestPurgeSearchesPageByPage: the records due are found page by page,
// without the audit chain's lock (syncs go on meanwhile), and every one
// of them is purged wherever it lies, while records reconciled later, or
// not at all, stay.
func TestPurgeSearchesPageByPage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	defer func(n int) { purgeScanPage, purgePageRead = n, nil }(purgeScanPage)
	purgeScanPage = 50
	now := time.Now()
	const n = 1000
	var recs []store.StoredRecord
	for i := range n {
		id := fmt.Sprintf("r-%04d", i)
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{}`), BodyHash: id, State: store.StateNew, Received: now.Add(-40 * 24 * time.Hour)})
	}
	if err := db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	// Every third record entered long ago, every seventh voided long ago,
	// every fifth entered yesterday, the rest never reconciled.
	due := map[string]bool{}
	for i := range n {
		id := recs[i].ID
		var rc store.Reconciliation
		switch {
		case i%3 == 0:
			rc, due[id] = store.Reconciliation{Action: store.ActionEntered, By: "k", At: now.Add(-31 * 24 * time.Hour)}, true
		case i%7 == 0:
			rc, due[id] = store.Reconciliation{Action: store.ActionVoid, By: "k", At: now.Add(-35 * 24 * time.Hour), Reason: "feil pasient"}, true
		case i%5 == 0:
			rc = store.Reconciliation{Action: store.ActionEntered, By: "k", At: now.Add(-24 * time.Hour)}
		default:
			continue
		}
		if _, err := db.Reconcile(ctx, []string{id}, rc); err != nil {
			t.Fatal(err)
		}
	}
	pages := 0
	purgePageRead = func() {
		pages++
		if !db.auditMu.TryLock() {
			t.Error("the search for due records holds the audit chain's lock")
			return
		}
		db.auditMu.Unlock()
	}
	got, err := db.PurgeReconciled(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil || got != len(due) {
		t.Fatalf("purged %d (%v), want %d", got, err, len(due))
	}
	if pages < n/purgeScanPage {
		t.Errorf("%d pages read for %d records", pages, n)
	}
	for _, r := range recs {
		_, err := db.StoredRecordByID(ctx, r.ID)
		if due[r.ID] != errors.Is(err, store.ErrNotFound) {
			t.Errorf("record %s: due %v, read %v", r.ID, due[r.ID], err)
		}
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
