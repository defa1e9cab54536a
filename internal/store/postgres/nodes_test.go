package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// Two server nodes over one database: each case runs with two separate
// stores (two pools, as two processes would have) on one database.

// twoNodes opens two stores on one new database, at the same moment (the
// second must wait for the first's migration, not run it again).
func twoNodes(t *testing.T) [2]*DB {
	t.Helper()
	url := pgtest.NewDatabase(t)
	var nodes [2]*DB
	var errs [2]error
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = Open(context.Background(), url, Options{EncryptionKey: testKey})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { nodes[i].Close() })
	}
	return nodes
}

// together runs fn on both nodes at once, n times each, and returns the
// errors, node by node.
func together(n int, nodes [2]*DB, fn func(node int, db *DB, i int) error) [2][]error {
	var out [2][]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k, db := range nodes {
		out[k] = make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out[k][i] = fn(k, db, i)
			}()
		}
	}
	close(start)
	wg.Wait()
	return out
}

// TestTwoNodesIngestOnce: the same batch sent to both nodes at once is
// stored once: one node's PutRecords succeeds, the other's is
// ErrRecordExists, and the chain holds the batch's audit entries once.
func TestTwoNodesIngestOnce(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	const rounds, batch = 20, 10
	now := time.Now()
	for round := range rounds {
		var recs []store.StoredRecord
		var audit []store.Audit
		for i := range batch {
			id := fmt.Sprintf("r%02d-%02d", round, i)
			recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n",
				Seq: uint64(round*batch + i + 1), State: store.StateNew, Received: now, BodyHash: "h" + id, Body: []byte("{}")})
			audit = append(audit, store.Audit{Actor: "u1", Action: store.AuditSync, Subject: id})
		}
		errs := together(1, nodes, func(_ int, db *DB, _ int) error { return db.PutRecords(ctx, recs, audit) })
		a, b := errs[0][0], errs[1][0]
		switch {
		case a == nil && b == nil:
			t.Fatalf("round %d: both nodes stored the batch", round)
		case a != nil && b != nil:
			t.Fatalf("round %d: neither node stored the batch: %v; %v", round, a, b)
		}
		if err := errors.Join(a, b); !errors.Is(err, store.ErrRecordExists) {
			t.Fatalf("round %d: the second node said %v, want ErrRecordExists", round, err)
		}
	}
	if n, err := nodes[1].CountRecords(ctx); err != nil || n != rounds*batch {
		t.Fatalf("%d records stored, %v; want %d", n, err, rounds*batch)
	}
	if n, err := nodes[0].VerifyAudit(ctx); err != nil || n != rounds*batch {
		t.Fatalf("audit chain: %d entries, %v; want %d (one per record)", n, err, rounds*batch)
	}
	if seqs, _ := nodes[0].DeviceSeqs(ctx, "d1"); len(seqs) != rounds*batch {
		t.Fatalf("%d sequence numbers, want %d", len(seqs), rounds*batch)
	}
}

// TestTwoNodesAuditChain: appends from both nodes, and records with
// their audit entries, form one linear chain that verifies.
func TestTwoNodesAuditChain(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	const writers = 6
	errs := together(writers, nodes, func(node int, db *DB, w int) error {
		for i := range 10 {
			if err := db.Append(ctx, store.Audit{Actor: fmt.Sprintf("node%d", node), Action: store.AuditLogin, Subject: fmt.Sprintf("w%d", w)}); err != nil {
				return err
			}
			id := fmt.Sprintf("n%d-w%d-%d", node, w, i)
			r := store.StoredRecord{ID: id, DeviceID: "d", Seq: uint64(i), State: store.StateNew, BodyHash: id, Body: []byte("{}")}
			if err := db.PutRecords(ctx, []store.StoredRecord{r}, []store.Audit{{Action: store.AuditSync, Subject: id}}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, e := range errs {
		if err := errors.Join(e...); err != nil {
			t.Fatal(err)
		}
	}
	want := uint64(2 * writers * 10 * 2)
	for k, db := range nodes {
		if n, err := db.VerifyAudit(ctx); err != nil || n != want {
			t.Fatalf("node %d verifies %d entries, %v; want %d", k, n, err, want)
		}
		if head, err := db.AuditHead(ctx); err != nil || head != want {
			t.Fatalf("node %d: head %d, %v", k, head, err)
		}
	}
}

// TestTwoNodesJobClaims: servers on both nodes claiming one job at once
// get it once; the lease then passes only by expiry or release.
func TestTwoNodesJobClaims(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for round := range 10 {
		id := fmt.Sprintf("job-%d", round)
		j := store.ReconcileJob{ID: id, By: "kari", Filter: store.RecordFilter{State: store.StateNew}, UpTo: t0, Created: t0, Updated: t0}
		if err := nodes[round%2].CreateReconcileJob(ctx, j, store.Audit{Actor: "kari", Action: store.AuditReconcileJobStart, Subject: id}); err != nil {
			t.Fatal(err)
		}
		errs := together(4, nodes, func(node int, db *DB, i int) error {
			_, err := db.ClaimReconcileJob(ctx, id, fmt.Sprintf("node%d-%d", node, i), t0, t0.Add(time.Minute))
			return err
		})
		won := ""
		for node, e := range errs {
			for i, err := range e {
				switch {
				case err == nil && won != "":
					t.Fatalf("%s: node%d-%d and %s both hold the lease", id, node, i, won)
				case err == nil:
					won = fmt.Sprintf("node%d-%d", node, i)
				case !errors.Is(err, store.ErrLeaseHeld):
					t.Fatalf("%s: node%d-%d: %v", id, node, i, err)
				}
			}
		}
		if got, _ := nodes[1].ReconcileJob(ctx, id); won == "" || got.Owner != won {
			t.Fatalf("%s: winner %q, stored owner %q", id, won, got.Owner)
		}
	}
	if err := nodes[0].CreateReconcileJob(ctx, store.ReconcileJob{ID: "job-0", Created: t0}, store.Audit{Action: store.AuditReconcileJobStart, Subject: "job-0"}); !errors.Is(err, store.ErrJobExists) {
		t.Fatalf("a job created again on the other node: %v", err)
	}
}

// TestTwoNodesUsernamesAndReconcile: two nodes giving one name (after
// normalisation) to two accounts at once: one wins; two coordinators
// reconciling one record on two nodes at once: one wins, the other is
// ErrAlreadyReconciled.
func TestTwoNodesUsernamesAndReconcile(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	names := [2]string{"Kari", "ＫＡＲＩ"}
	errs := together(1, nodes, func(node int, db *DB, _ int) error {
		return db.PutAccount(ctx, store.Account{User: care.User{ID: fmt.Sprintf("u%d", node), Username: names[node], Role: care.RoleWorker}})
	})
	if a, b := errs[0][0], errs[1][0]; (a == nil) == (b == nil) || !errors.Is(errors.Join(a, b), store.ErrUsernameTaken) {
		t.Fatalf("one name for two accounts at once: %v; %v", a, b)
	}
	now := time.Now()
	var ids []string
	var recs []store.StoredRecord
	for i := range 20 {
		id := fmt.Sprintf("r%02d", i)
		ids = append(ids, id)
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", Seq: uint64(i), State: store.StateNew, Received: now, BodyHash: id, Body: []byte("{}")})
	}
	if err := nodes[0].PutRecords(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		errs := together(1, nodes, func(node int, db *DB, _ int) error {
			_, err := db.Reconcile(ctx, []string{id}, store.Reconciliation{Action: store.ActionEntered, By: fmt.Sprintf("k%d", node), At: now})
			return err
		})
		if a, b := errs[0][0], errs[1][0]; (a == nil) == (b == nil) || !errors.Is(errors.Join(a, b), store.ErrAlreadyReconciled) {
			t.Fatalf("%s reconciled on both nodes at once: %v; %v", id, a, b)
		}
		if h, _ := nodes[0].AuditFor(ctx, id); len(h) != 1 {
			t.Fatalf("%s: %d reconcile entries", id, len(h))
		}
	}
	if _, err := nodes[1].VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
