package bulk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// desk is a real Badger store with a job over records of every kind: the
// ones it must mark, and the ones it must leave alone.
type desk struct {
	dir  string
	db   *badger.DB
	job  string
	upTo time.Time
	// match must end entered by the job (less what someone else
	// reconciles first); the others must stay as they were.
	match, otherUnit, otherType, late, quarantined, before []string
}

const matching = 730

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{dir: filepath.Join(t.TempDir(), "db"), job: "job-1", upTo: t0.Add(10 * time.Hour)}
	d.open(t)
	ctx := context.Background()
	for _, a := range []store.Account{
		{User: care.User{ID: "kari", Username: "kari", Name: "Kari", Role: care.RoleCoordinator, Units: []string{"n"}}, PasswordHash: "h"},
		{User: care.User{ID: "ola", Username: "ola", Name: "Ola", Role: care.RoleCoordinator, Units: []string{"n", "s"}}, PasswordHash: "h"},
	} {
		if err := d.db.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	var recs []store.StoredRecord
	seq := uint64(0)
	add := func(list *[]string, n int, unit string, typ care.RecordType, received func(i int) time.Time, quarantined bool) {
		for i := range n {
			seq++
			id := fmt.Sprintf("r%05d", seq)
			recs = append(recs, store.StoredRecord{ID: id, Type: typ, DeviceID: "d1", AuthorID: "anna", PatientID: "p-" + unit,
				UnitID: unit, Seq: seq, CreatedAt: received(i), Received: received(i), BodyHash: id, Body: []byte(`{}`),
				State: store.StateNew, Quarantined: quarantined})
			*list = append(*list, id)
		}
	}
	at := func(i int) time.Time { return t0.Add(time.Duration(seq) * time.Second) }
	add(&d.match, matching, "n", care.RecordNote, at, false)
	add(&d.otherUnit, 40, "s", care.RecordNote, at, false)
	add(&d.otherType, 60, "n", care.RecordMedication, at, false)
	add(&d.quarantined, 7, "n", care.RecordNote, at, true)
	add(&d.before, 15, "n", care.RecordNote, at, false)
	add(&d.late, 25, "n", care.RecordNote, func(i int) time.Time { return d.upTo.Add(time.Duration(i+1) * time.Second) }, false)
	if err := d.db.PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	// Entered before the job: not the job's to count.
	if _, err := d.db.Reconcile(ctx, d.before, store.Reconciliation{Action: store.ActionEntered, EHRRef: "old", By: "ola", EnteredBy: "ola", At: t0}); err != nil {
		t.Fatal(err)
	}
	j := store.ReconcileJob{ID: d.job, By: "kari", EnteredBy: "kari", EHRRef: "EPJ-77",
		Filter: store.RecordFilter{Units: []string{"n"}, Type: care.RecordNote, State: store.StateNew},
		UpTo:   d.upTo, Created: d.upTo, Updated: d.upTo, Total: matching + len(d.quarantined)}
	if err := d.db.CreateReconcileJob(ctx, j, store.Audit{Actor: "kari", Action: store.AuditReconcileJobStart, Subject: d.job}); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *desk) open(t *testing.T) {
	t.Helper()
	db, err := badger.Open(d.dir, badger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.db = db
	t.Cleanup(func() { db.Close() })
}

// reopen closes the store and opens it again: a server restart.
func (d *desk) reopen(t *testing.T) {
	t.Helper()
	if err := d.db.Close(); err != nil {
		t.Fatal(err)
	}
	d.open(t)
}

// reconciles counts a record's reconciliation audit entries.
func reconciles(t *testing.T, db *badger.DB, id string) []store.AuditEntry {
	t.Helper()
	hist, err := db.AuditFor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range hist {
		if e.Action == store.AuditReconcile {
			out = append(out, e)
		}
	}
	return out
}

// check says the job is done and marked every matching record exactly
// once, except those someone else reconciled (others: entered or voided
// once by them), and touched nothing else.
func (d *desk) check(t *testing.T, others map[string]bool, skipped int) {
	t.Helper()
	ctx := context.Background()
	db := d.db
	for _, id := range d.match {
		r, err := db.StoredRecordByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		entries := reconciles(t, db, id)
		if len(entries) != 1 {
			t.Fatalf("record %s has %d reconciliation entries, want 1", id, len(entries))
		}
		if others[id] {
			if entries[0].Actor != "ola" {
				t.Fatalf("record %s reconciled by someone else was marked again: %+v", id, entries)
			}
			continue
		}
		if r.State != store.StateEntered || r.ReconciledBy != "kari" || r.EnteredBy != "kari" || r.EHRRef != "EPJ-77" || entries[0].Actor != "kari" {
			t.Fatalf("record %s not marked by the job: %+v", id, r)
		}
	}
	untouched := slices.Concat(d.otherUnit, d.otherType, d.late, d.quarantined)
	for _, id := range untouched {
		r, _ := db.StoredRecordByID(ctx, id)
		if r.State != store.StateNew || len(reconciles(t, db, id)) != 0 {
			t.Fatalf("record %s outside the job was touched: %+v", id, r)
		}
	}
	for _, id := range d.before {
		if r, _ := db.StoredRecordByID(ctx, id); r.EHRRef != "old" || len(reconciles(t, db, id)) != 1 {
			t.Fatalf("record %s entered before the job was marked again: %+v", id, r)
		}
	}
	j, err := db.ReconcileJob(ctx, d.job)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != store.JobDone || j.Done != matching-len(others) || j.Skipped != skipped || j.Held != len(d.quarantined) ||
		j.Chunk != nil || j.Owner != "" || j.Finished.IsZero() {
		t.Fatalf("job at the end: status %s done %d skipped %d held %d chunk %v owner %q; want done %d skipped %d held %d",
			j.Status, j.Done, j.Skipped, j.Held, j.Chunk, j.Owner, matching-len(others), skipped, len(d.quarantined))
	}
	hist, err := db.AuditFor(ctx, d.job)
	if err != nil || len(hist) != 2 || hist[1].Action != store.AuditReconcileJobFinish || hist[1].Actor != "kari" {
		t.Fatalf("the job's audit: %+v, %v", hist, err)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// faulty is the store with faults: a stop (the runner's context
// cancelled) after the Nth save of the job, a Reconcile that fails on the
// Nth call before or after it committed, and someone else reconciling
// records just before the Nth Reconcile.
type faulty struct {
	Store
	cancel                context.CancelFunc
	stopAfterSave         int
	failReconcile         int
	failAfterCommit       bool
	meddleAt              int
	meddle                func(ids []string)
	noRelease             bool
	saves, reconcileCalls int
}

var errInjected = errors.New("injected failure")

func (f *faulty) SaveReconcileJob(ctx context.Context, j store.ReconcileJob, owner string, until time.Time, audit ...store.Audit) error {
	err := f.Store.SaveReconcileJob(ctx, j, owner, until, audit...)
	f.saves++
	if f.saves == f.stopAfterSave {
		f.cancel()
	}
	return err
}

func (f *faulty) Reconcile(ctx context.Context, ids []string, rc store.Reconciliation) ([]store.StoredRecord, error) {
	f.reconcileCalls++
	if f.reconcileCalls == f.meddleAt && f.meddle != nil {
		f.meddle(ids)
	}
	if f.reconcileCalls != f.failReconcile {
		return f.Store.Reconcile(ctx, ids, rc)
	}
	if f.failAfterCommit {
		if _, err := f.Store.Reconcile(ctx, ids, rc); err != nil {
			return nil, err
		}
	}
	f.cancel() // the process dies here
	return nil, errInjected
}

func (f *faulty) ReleaseReconcileJob(ctx context.Context, id, owner string) error {
	if f.noRelease {
		return nil // killed: nobody gives the lease up
	}
	return f.Store.ReleaseReconcileJob(ctx, id, owner)
}

func TestJobMarksEveryMatchingRecordOnceThroughStops(t *testing.T) {
	cases := []struct {
		name  string
		fault faulty
		// reopen closes and opens the store between the runs; crash
		// leaves the lease held, so that the second run (another
		// server name) waits for it to run out.
		reopen, crash bool
	}{
		{name: "uninterrupted"},
		{name: "stopped after the first save", fault: faulty{stopAfterSave: 1}},
		{name: "stopped between chunks", fault: faulty{stopAfterSave: 4}},
		{name: "stopped between chunks, store reopened", fault: faulty{stopAfterSave: 7}, reopen: true},
		{name: "killed between chunks, the lease runs out", fault: faulty{stopAfterSave: 6, noRelease: true}, crash: true},
		{name: "stopped just before the end", fault: faulty{stopAfterSave: 16}},
		{name: "Reconcile fails mid-chunk before committing", fault: faulty{failReconcile: 3}},
		{name: "killed mid-chunk after the commit", fault: faulty{failReconcile: 3, failAfterCommit: true, noRelease: true}, reopen: true, crash: true},
		{name: "killed on the last chunk after the commit", fault: faulty{failReconcile: 8, failAfterCommit: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDesk(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := c.fault
			f.Store, f.cancel = d.db, cancel
			first := New(&f, Options{Owner: "node-a", Chunk: 100})
			err := first.RunPending(ctx)
			interrupted := f.stopAfterSave > 0 || f.failReconcile > 0
			if !interrupted {
				if err != nil {
					t.Fatal(err)
				}
				d.check(t, nil, 0)
				return
			}
			if j, _ := d.db.ReconcileJob(context.Background(), d.job); j.Status != store.JobRunning {
				t.Fatalf("the fault did not stop the job halfway: %s, done %d (%v)", j.Status, j.Done, err)
			}
			if c.reopen {
				d.reopen(t)
			}
			opts := Options{Owner: "node-b", Chunk: 100}
			if c.crash {
				// Before the lease runs out, another server leaves the job
				// alone; after it, it takes the job on.
				held := New(d.db, opts)
				if err := held.RunPending(context.Background()); err != nil {
					t.Fatal(err)
				}
				if j, _ := d.db.ReconcileJob(context.Background(), d.job); j.Owner != "node-a" || j.Status != store.JobRunning {
					t.Fatalf("a server ran a job whose lease another holds: %+v", j)
				}
				opts.Now = func() time.Time { return time.Now().Add(DefaultLease + time.Second) }
			}
			if err := New(d.db, opts).RunPending(context.Background()); err != nil {
				t.Fatal(err)
			}
			d.check(t, nil, 0)
		})
	}
}

// TestJobSkipsWhatSomeoneElseReconciled: records entered or voided by
// someone else while the job runs are skipped, not a failure, and
// counted once: inside the chunk being marked (Reconcile refuses it,
// the rest is marked) or ahead of the job (no longer new, not walked).
func TestJobSkipsWhatSomeoneElseReconciled(t *testing.T) {
	for _, resumed := range []bool{false, true} {
		t.Run(fmt.Sprintf("resumed %v", resumed), func(t *testing.T) {
			d := newDesk(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			others := map[string]bool{}
			f := &faulty{Store: d.db, cancel: cancel, meddleAt: 2}
			f.meddle = func(ids []string) {
				// Two of the chunk about to be marked, and two far ahead
				// (the oldest records, walked last).
				c := context.Background()
				mine := []string{ids[0], ids[len(ids)-1]}
				ahead := d.match[:2]
				if _, err := d.db.Reconcile(c, mine[:1], store.Reconciliation{Action: store.ActionEntered, EHRRef: "EPJ-77", By: "ola", EnteredBy: "ola", At: time.Now()}); err != nil {
					t.Error(err)
				}
				if _, err := d.db.Reconcile(c, append(mine[1:], ahead...), store.Reconciliation{Action: store.ActionVoid, Reason: "twice", By: "ola", At: time.Now()}); err != nil {
					t.Error(err)
				}
				for _, id := range append(mine, ahead...) {
					others[id] = true
				}
			}
			if resumed {
				f.failReconcile, f.failAfterCommit = 3, true // the retry of the refused chunk
			}
			err := New(f, Options{Owner: "node-a", Chunk: 100}).RunPending(ctx)
			if resumed {
				if err == nil {
					t.Fatal("the first run was not stopped")
				}
				if err := New(d.db, Options{Owner: "node-a", Chunk: 100}).RunPending(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			d.check(t, others, 2)
		})
	}
}

// TestJobFailsWhenItsStarterMayNoLongerReconcile: a starter disabled (or
// without the job's units) mid-job stops it, as failed, with what was
// marked kept.
func TestJobFailsWhenItsStarterMayNoLongerReconcile(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(a *store.Account)
		key    string
	}{
		{"disabled", func(a *store.Account) { a.Disabled = true }, FailureStarter},
		{"became a worker", func(a *store.Account) { a.Role = care.RoleWorker }, FailureStarter},
		{"moved to another unit", func(a *store.Account) { a.Units = []string{"s"} }, FailureUnits},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newDesk(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := &faulty{Store: d.db, cancel: cancel, stopAfterSave: 3}
			_ = New(f, Options{Owner: "a", Chunk: 100}).RunPending(ctx)
			a, err := d.db.Account(context.Background(), "kari")
			if err != nil {
				t.Fatal(err)
			}
			c.change(&a)
			if err := d.db.PutAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			before, _ := d.db.ReconcileJob(context.Background(), d.job)
			if err := New(d.db, Options{Owner: "a", Chunk: 100}).RunPending(context.Background()); err != nil {
				t.Fatal(err)
			}
			j, _ := d.db.ReconcileJob(context.Background(), d.job)
			if j.Status != store.JobFailed || j.FailureKey != c.key || j.Done != before.Done || j.Done == 0 {
				t.Fatalf("job: %s %q done %d (before %d)", j.Status, j.FailureKey, j.Done, before.Done)
			}
			n := 0
			for _, id := range d.match {
				if r, _ := d.db.StoredRecordByID(context.Background(), id); r.State == store.StateEntered {
					n++
				}
			}
			if n != j.Done {
				t.Fatalf("%d records entered, the job says %d", n, j.Done)
			}
		})
	}
}

// TestRunStopsAndResumes: Run, as serve starts it, returns when its
// context ends and leaves the lease free; the next Run finishes the job.
func TestRunStopsAndResumes(t *testing.T) {
	d := newDesk(t)
	ctx, cancel := context.WithCancel(context.Background())
	f := &faulty{Store: d.db, cancel: cancel, stopAfterSave: 5}
	done := make(chan struct{})
	go func() { New(f, Options{Owner: "node-a", Chunk: 100}).Run(ctx); close(done) }()
	<-done
	j, _ := d.db.ReconcileJob(context.Background(), d.job)
	if j.Status != store.JobRunning || j.Owner != "" {
		t.Fatalf("after the stop: status %s, owner %q", j.Status, j.Owner)
	}
	d.reopen(t)
	ctx2, cancel2 := context.WithCancel(context.Background())
	g := &faulty{Store: d.db, cancel: cancel2}
	r := New(g, Options{Owner: "node-b", Chunk: 100})
	done = make(chan struct{})
	go func() { r.Run(ctx2); close(done) }()
	// Run's first pass finishes the job; its end is the last save.
	for {
		if j, _ := d.db.ReconcileJob(context.Background(), d.job); j.Status != store.JobRunning {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel2()
	<-done
	d.check(t, nil, 0)
}
