package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// BenchmarkPutRecords: phones' batches of 50 records (a body of 1 KiB,
// an audit entry each) put at once from 20 goroutines, through one store
// and through two on the same database; fsync on. One iteration is one
// batch.
func BenchmarkPutRecords(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			url := pgtest.NewDatabase(b)
			var dbs []*DB
			for range nodes {
				db, err := Open(context.Background(), url, Options{EncryptionKey: testKey, MaxConns: 10})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			body := make([]byte, 1024)
			var next atomic.Int64
			b.SetParallelism(10) // 20 goroutines on two cores
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := next.Add(1)
					db := dbs[int(k)%len(dbs)]
					recs := make([]store.StoredRecord, 50)
					audit := make([]store.Audit, 50)
					for i := range recs {
						id := fmt.Sprintf("b%08d-%02d", k, i)
						recs[i] = store.StoredRecord{ID: id, DeviceID: fmt.Sprintf("d%d", k%20), AuthorID: "u", PatientID: "p", UnitID: "n",
							Seq: uint64(k*50) + uint64(i), State: store.StateNew, Received: time.Now(), BodyHash: id, Body: body, Sig: body[:64]}
						audit[i] = store.Audit{Actor: "u", Action: store.AuditSync, Subject: id}
					}
					if err := db.PutRecords(context.Background(), recs, audit); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*50)/time.Since(start).Seconds(), "records/s")
		})
	}
}
