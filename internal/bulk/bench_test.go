package bulk

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/badger"
)

// BenchmarkReconcileJob marks 20,000 new records of two units as entered
// through one job, in chunks of DefaultChunk, on a synced Badger store
// (each chunk is one durable transaction with an audit entry per record).
func BenchmarkReconcileJob(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	body := []byte(`{"text":"Sår stelt, ny bandasje. Pasienten spiste frokost og tok medisinene sine."}`)
	var marked int
	var took time.Duration
	for i := range b.N {
		b.StopTimer()
		db, err := badger.Open(filepath.Join(b.TempDir(), "db"), badger.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.PutAccount(ctx, store.Account{User: care.User{ID: "kari", Username: "kari", Name: "Kari", Role: care.RoleCoordinator, Units: []string{"n", "s"}}, PasswordHash: "h"}); err != nil {
			b.Fatal(err)
		}
		for done := 0; done < n; {
			batch := make([]store.StoredRecord, 0, 1000)
			for range 1000 {
				id := fmt.Sprintf("r%07d", done)
				at := t0.Add(time.Duration(done) * time.Second)
				batch = append(batch, store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: "d", AuthorID: "a", PatientID: "p",
					UnitID: []string{"n", "s"}[done%2], Seq: uint64(done + 1), CreatedAt: at, Received: at, BodyHash: id, Body: body, State: store.StateNew})
				done++
			}
			if err := db.PutRecords(ctx, batch, nil); err != nil {
				b.Fatal(err)
			}
		}
		upTo := t0.Add(n * time.Second)
		j := store.ReconcileJob{ID: fmt.Sprintf("job-%d", i), By: "kari", EnteredBy: "kari", EHRRef: "EPJ-1",
			Filter: store.RecordFilter{Units: []string{"n", "s"}, State: store.StateNew}, UpTo: upTo, Created: upTo, Updated: upTo, Total: n}
		if err := db.CreateReconcileJob(ctx, j, store.Audit{Actor: "kari", Action: store.AuditReconcileJobStart, Subject: j.ID}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if err := New(db, Options{Owner: "bench"}).RunPending(ctx); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		got, err := db.ReconcileJob(ctx, j.ID)
		if err != nil || got.Done != n {
			b.Fatalf("job marked %d of %d: %v", got.Done, n, err)
		}
		marked += got.Done
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(marked)/took.Seconds(), "records/s")
}
