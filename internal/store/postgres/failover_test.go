package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// TestCommitOutcomeUnknown: a batch whose commit is under way when the
// database dies (its commit record is on the primary's disk, waiting
// for a synchronous standby) fails with ErrUnavailable, which the server
// answers 503 and the phone retries; once the database is back the
// retry finds the records stored (ErrRecordExists, and Known says the
// same bytes: a duplicate), never a second copy and never a 500.
func TestCommitOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	cl, err := pgtest.Start(pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	if err := cl.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
		t.Fatal(err)
	}
	db := openTest(t, cl.URL("beredskap"), Options{PollEvery: 50 * time.Millisecond})
	// A synchronous standby that never comes: every commit is flushed
	// on the primary and then waits.
	if err := cl.Exec(ctx, "postgres", "ALTER SYSTEM SET synchronous_standby_names = 'nobody'"); err != nil {
		t.Fatal(err)
	}
	if err := cl.Exec(ctx, "postgres", "SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	// pg_reload_conf only signals the postmaster, which then signals the
	// backends, the store's among them: a commit sent before that does
	// not wait. A new connection sees the setting once the postmaster
	// has read it again, and by then it has signalled its backends.
	waitSetting(t, cl, "synchronous_standby_names", "nobody")

	// Whether a commit waits is decided by a flag the checkpointer sets
	// once it has read the setting too, which may come a little later:
	// a write that commits without waiting is stored, counted, and the
	// next one tried, until one waits.
	var r store.StoredRecord
	var put chan error
	stored := 0
	for i := 1; ; i++ {
		id := fmt.Sprintf("r%d", i)
		r = store.StoredRecord{ID: id, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n", Seq: uint64(i),
			Body: []byte(`{}`), Sig: []byte("sig"), BodyHash: "h" + id, State: store.StateNew}
		put = make(chan error, 1)
		go func() {
			put <- db.PutRecords(ctx, []store.StoredRecord{r}, []store.Audit{{Action: store.AuditSync, Subject: id}})
		}()
		if ended, err := waitSyncRep(t, cl, put); ended {
			if err != nil {
				t.Fatalf("a write before the standby was waited for: %v", err)
			}
			if stored++; stored == 100 {
				t.Fatal("100 writes committed without waiting for the standby")
			}
			continue
		}
		break
	}
	cl.Kill()
	if err := <-put; !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a commit cut off by the database's death: %v, want ErrUnavailable", err)
	}

	if err := cl.Restart(); err != nil {
		t.Fatal(err)
	}
	waitMode(t, db, store.ModeReadWrite)
	if err := db.PutRecords(ctx, []store.StoredRecord{r}, nil); !errors.Is(err, store.ErrRecordExists) {
		t.Fatalf("the retry: %v, want ErrRecordExists", err)
	}
	known, err := db.Known(ctx, map[string]string{r.ID: r.BodyHash})
	if err != nil || known[r.ID] != store.RecordSame {
		t.Fatalf("known after the retry: %v, %v", known, err)
	}
	if n, err := db.CountRecords(ctx); err != nil || n != stored+1 {
		t.Fatalf("%d records, %v; want %d", n, err, stored+1)
	}
}

// waitSetting waits until a new connection to the cluster sees the
// setting name at want.
func waitSetting(t *testing.T, cl *pgtest.Cluster, name, want string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		conn, err := pgx.Connect(ctx, cl.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got)
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is %q, want %q", name, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitSyncRep waits until a backend of the cluster waits for a
// synchronous standby's confirmation of its commit, or the write it
// waits for (put) ends first: then it returns ended and the write's
// answer.
func waitSyncRep(t *testing.T, cl *pgtest.Cluster, put <-chan error) (ended bool, err error) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, cl.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(time.Minute)
	for {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return false, nil
		}
		if time.Now().After(deadline) {
			t.Fatal("no commit waits for the standby")
		}
		select {
		case err := <-put:
			return true, err
		case <-time.After(10 * time.Millisecond):
		}
	}
}
