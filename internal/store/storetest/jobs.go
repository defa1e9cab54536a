package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
)

// The office's bulk jobs (store.ReconcileJobs).

func reconcileJob(id string, created time.Time) store.ReconcileJob {
	return store.ReconcileJob{ID: id, By: "kari", EnteredBy: "kari", EHRRef: "EPJ-9",
		Filter: store.RecordFilter{Units: []string{"n"}, Type: care.RecordNote, State: store.StateNew},
		UpTo:   created, Created: created, Updated: created, Total: 3}
}

func startAudit(id string) store.Audit {
	return store.Audit{Actor: "kari", Action: store.AuditReconcileJobStart, Subject: id, Detail: "unit=n"}
}

// testReconcileJobs: a job is stored once with its audit entry, found by
// id and in the lists (newest first), and survives a reopen.
func testReconcileJobs(t *testing.T, open func() store.Store) {
	db := open()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"job-a", "job-b", "job-c"} {
		if err := db.CreateReconcileJob(ctx, reconcileJob(id, t0.Add(time.Duration(i)*time.Minute)), startAudit(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateReconcileJob(ctx, reconcileJob("job-a", t0.Add(time.Hour)), startAudit("job-a")); !errors.Is(err, store.ErrJobExists) {
		t.Fatalf("the same id again: %v, want ErrJobExists", err)
	}
	closeStore(t, db)
	db = use(t, open)
	j, err := db.ReconcileJob(ctx, "job-b")
	if err != nil {
		t.Fatal(err)
	}
	want := reconcileJob("job-b", t0.Add(time.Minute))
	if j.Status != store.JobRunning || j.By != "kari" || j.EHRRef != "EPJ-9" || j.Total != 3 || !j.UpTo.Equal(want.UpTo) ||
		j.Filter.Type != care.RecordNote || len(j.Filter.Units) != 1 || j.Filter.Units[0] != "n" || j.Owner != "" {
		t.Fatalf("stored job: %+v", j)
	}
	_, err = db.ReconcileJob(ctx, "job-z")
	notFound(t, "unknown job", err, "job-z")
	for _, runningOnly := range []bool{false, true} {
		all, err := db.ReconcileJobs(ctx, runningOnly)
		if err != nil || len(all) != 3 || all[0].ID != "job-c" || all[2].ID != "job-a" {
			t.Fatalf("jobs (running only %v): %+v, %v", runningOnly, all, err)
		}
	}
	hist, err := db.AuditFor(ctx, "job-a")
	if err != nil || len(hist) != 1 || hist[0].Action != store.AuditReconcileJobStart || hist[0].Actor != "kari" {
		t.Fatalf("audit of the job: %+v, %v (the refused second create must add nothing)", hist, err)
	}
}

// testReconcileJobLease: one owner at a time, taken when free or
// expired, progress saved only by the owner, a finished job claimed and
// saved by nobody.
func testReconcileJobLease(t *testing.T, open func() store.Store) {
	db := use(t, open)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateReconcileJob(ctx, reconcileJob("job", t0), startAudit("job")); err != nil {
		t.Fatal(err)
	}
	lease := func(now time.Time) time.Time { return now.Add(time.Minute) }
	if j, err := db.ClaimReconcileJob(ctx, "job", "node-a", t0, lease(t0)); err != nil || j.Owner != "node-a" || !j.LeaseUntil.Equal(lease(t0)) {
		t.Fatalf("claim a free job: %+v, %v", j, err)
	}
	if _, err := db.ClaimReconcileJob(ctx, "job", "node-b", t0.Add(30*time.Second), lease(t0)); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("claim a held job: %v, want ErrLeaseHeld", err)
	}
	if _, err := db.ClaimReconcileJob(ctx, "job", "node-a", t0.Add(30*time.Second), lease(t0.Add(30*time.Second))); err != nil {
		t.Fatalf("the owner claims again (a restart): %v", err)
	}

	// The owner saves progress; the immutable fields stay as stored.
	at := t0.Add(40 * time.Second)
	j, _ := db.ReconcileJob(ctx, "job")
	j.Done, j.Held, j.Cursor, j.Updated = 2, 1, "c1", at
	j.Chunk = &store.JobChunk{IDs: []string{"r1", "r2"}, At: at}
	j.By, j.EHRRef, j.Filter.Units = "mallory", "other", nil
	if err := db.SaveReconcileJob(ctx, j, "node-a", lease(at)); err != nil {
		t.Fatal(err)
	}
	j, _ = db.ReconcileJob(ctx, "job")
	if j.Done != 2 || j.Held != 1 || j.Cursor != "c1" || j.Chunk == nil || len(j.Chunk.IDs) != 2 || !j.Chunk.At.Equal(at) || !j.LeaseUntil.Equal(lease(at)) {
		t.Fatalf("saved progress: %+v", j)
	}
	if j.By != "kari" || j.EHRRef != "EPJ-9" || len(j.Filter.Units) != 1 {
		t.Fatalf("a save changed what the job was started with: %+v", j)
	}

	// Another server may not save, and nothing of its save is written.
	stolen := j
	stolen.Done = 99
	if err := db.SaveReconcileJob(ctx, stolen, "node-b", lease(at)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("save by a server without the lease: %v, want ErrLeaseLost", err)
	}
	if j, _ := db.ReconcileJob(ctx, "job"); j.Done != 2 {
		t.Fatalf("a refused save was written: %+v", j)
	}

	// The lease expires: node-b takes it, and node-a can no longer save.
	late := lease(at).Add(time.Second)
	if j, err := db.ClaimReconcileJob(ctx, "job", "node-b", late, lease(late)); err != nil || j.Owner != "node-b" || j.Done != 2 {
		t.Fatalf("claim an expired lease: %+v, %v", j, err)
	}
	if err := db.SaveReconcileJob(ctx, j, "node-a", lease(late)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("save after the lease passed on: %v, want ErrLeaseLost", err)
	}

	// Releasing: only the owner's release counts; then anyone claims at once.
	if err := db.ReleaseReconcileJob(ctx, "job", "node-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimReconcileJob(ctx, "job", "node-c", late, lease(late)); !errors.Is(err, store.ErrLeaseHeld) {
		t.Fatalf("a release by a former owner freed the lease: %v", err)
	}
	if err := db.ReleaseReconcileJob(ctx, "job", "node-b"); err != nil {
		t.Fatal(err)
	}
	j, err := db.ClaimReconcileJob(ctx, "job", "node-c", late, lease(late))
	if err != nil {
		t.Fatalf("claim a released job: %v", err)
	}

	// Done, with the job's closing audit entry: out of the running list,
	// claimed and saved by nobody.
	j.Status, j.Done, j.Chunk, j.Walked, j.Finished, j.Updated = store.JobDone, 3, nil, true, late, late
	end := store.Audit{Actor: "kari", Action: store.AuditReconcileJobFinish, Subject: "job", Detail: "done=3"}
	if err := db.SaveReconcileJob(ctx, j, "node-c", lease(late), end); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.ReconcileJob(ctx, "job"); j.Status != store.JobDone || j.Owner != "" || j.Done != 3 || !j.Finished.Equal(late) {
		t.Fatalf("finished job: %+v", j)
	}
	if running, err := db.ReconcileJobs(ctx, true); err != nil || len(running) != 0 {
		t.Fatalf("running jobs after the end: %+v, %v", running, err)
	}
	if _, err := db.ClaimReconcileJob(ctx, "job", "node-c", late, lease(late)); !errors.Is(err, store.ErrJobFinished) {
		t.Fatalf("claim a finished job: %v, want ErrJobFinished", err)
	}
	j.Status = store.JobRunning
	if err := db.SaveReconcileJob(ctx, j, "node-c", lease(late)); !errors.Is(err, store.ErrJobFinished) {
		t.Fatalf("save a finished job: %v, want ErrJobFinished", err)
	}
	hist, err := db.AuditFor(ctx, "job")
	if err != nil || len(hist) != 2 || hist[1].Action != store.AuditReconcileJobFinish {
		t.Fatalf("audit of the job: %+v, %v", hist, err)
	}
	if _, err := db.ClaimReconcileJob(ctx, "nope", "node-c", late, lease(late)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("claim an unknown job: %v", err)
	}
}

// testReconcileJobClaimRace: servers claiming one job at the same moment
// get it once.
func testReconcileJobClaimRace(t *testing.T, open func() store.Store) {
	db := use(t, open)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateReconcileJob(ctx, reconcileJob("job", t0), startAudit("job")); err != nil {
		t.Fatal(err)
	}
	const servers = 8
	var wg sync.WaitGroup
	errs := make([]error, servers)
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.ClaimReconcileJob(ctx, "job", fmt.Sprintf("node-%d", i), t0, t0.Add(time.Minute))
		}()
	}
	wg.Wait()
	won := ""
	for i, err := range errs {
		switch {
		case err == nil && won != "":
			t.Fatalf("node-%d and %s both hold the lease", i, won)
		case err == nil:
			won = fmt.Sprintf("node-%d", i)
		case !errors.Is(err, store.ErrLeaseHeld):
			t.Fatalf("node-%d: %v", i, err)
		}
	}
	if j, _ := db.ReconcileJob(ctx, "job"); won == "" || j.Owner != won {
		t.Fatalf("winner %q, stored owner %q", won, j.Owner)
	}
}
