package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

func feedRecord(id string, seq uint64, now time.Time) store.StoredRecord {
	return store.StoredRecord{ID: id, DeviceID: "d1", AuthorID: "u1", PatientID: "p1", UnitID: "n", Seq: seq,
		State: store.StateNew, Received: now, BodyHash: "h" + id, Body: []byte("{}")}
}

// readAll reads the feed from after to its end.
func readAll(t *testing.T, db *DB, after uint64) ([]store.Change, uint64) {
	t.Helper()
	var out []store.Change
	for {
		page, next, err := db.Changes(context.Background(), after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			if next != after {
				t.Fatalf("no changes, but the position moved from %d to %d", after, next)
			}
			return out, after
		}
		if page[0].Seq <= after || next != page[len(page)-1].Seq {
			t.Fatalf("changes %v after %d, next %d", page, after, next)
		}
		out, after = append(out, page...), next
	}
}

type kindIDs struct {
	Kind store.ChangeKind
	IDs  []string
}

func kinds(cs []store.Change) []kindIDs {
	var out []kindIDs
	for _, c := range cs {
		ids := slices.Clone(c.IDs)
		slices.Sort(ids)
		out = append(out, kindIDs{c.Kind, ids})
	}
	return out
}

// TestChangesOfEachWrite: every write the desk keeps adds its change on
// the node that reads the feed, with the ids it concerns and in the
// order of the writes; a write refused adds none.
func TestChangesOfEachWrite(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	a, b := nodes[0], nodes[1]
	head, err := b.ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := a.PutRecords(ctx, []store.StoredRecord{feedRecord("r1", 1, now), feedRecord("r2", 2, now)}, nil); err != nil {
		t.Fatal(err)
	}
	// Refused: r2 is taken. Nothing of it is in the feed.
	if err := a.PutRecords(ctx, []store.StoredRecord{feedRecord("r3", 3, now), feedRecord("r2", 2, now)}, nil); !errors.Is(err, store.ErrRecordExists) {
		t.Fatalf("put again: %v", err)
	}
	if _, err := a.Reconcile(ctx, []string{"r1"}, store.Reconciliation{Action: store.ActionEntered, By: "kari", At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Reconcile(ctx, []string{"r1"}, store.Reconciliation{Action: store.ActionVoid, By: "kari", At: now, Reason: "x"}); !errors.Is(err, store.ErrAlreadyReconciled) {
		t.Fatalf("reconcile again: %v", err)
	}
	if n, err := a.PurgeReconciled(ctx, now.Add(time.Hour), now); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	plan := store.Plan{Units: []care.Unit{{ID: "n", Name: "Nord"}}, Patients: []care.Patient{{ID: "p1", UnitID: "n", Name: "P"}}}
	if err := a.ApplyPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if err := a.ResolveFinding(ctx, "f1", store.FindingResolution{By: "kari", At: now, Comment: "ok"}); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, b, head)
	want := []kindIDs{
		{store.ChangeRecords, []string{"r1", "r2"}},
		{store.ChangeRecords, []string{"r1"}},
		{store.ChangePurge, []string{"r1"}},
		{store.ChangePlan, []string{}},
		{store.ChangeResolution, []string{"f1"}},
	}
	if g := kinds(got); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("changes\n%v\nwant\n%v", g, want)
	}
	recs, err := b.RecordsByID(ctx, []string{"r1", "r2", "nope"})
	if err != nil || len(recs) != 1 || recs[0].ID != "r2" || recs[0].Body != nil {
		t.Fatalf("records by id: %+v, %v (r1 is purged, r2 held, without its body)", recs, err)
	}
	res, err := b.ResolutionsByID(ctx, []string{"f1", "f2"})
	if err != nil || len(res) != 1 || res["f1"].Comment != "ok" {
		t.Fatalf("resolutions by id: %v, %v", res, err)
	}
	if h, err := b.ChangeHead(ctx); err != nil || h != got[len(got)-1].Seq {
		t.Fatalf("head %d, %v; want %d", h, err, got[len(got)-1].Seq)
	}
}

// TestChangesInCommitOrder: a change drawn first and committed last is
// not skipped. Node A's transaction holds a change, uncommitted; node B
// writes records meanwhile; a reader reads, then A commits. Without the
// feed's lock, B's change (the higher seq) would be read first and A's
// never, as the reader's position would be past it.
func TestChangesInCommitOrder(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	a, b := nodes[0], nodes[1]
	head, err := b.ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := a.noteChange(ctx, tx, store.ChangeRecords, []string{"first"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- b.PutRecords(ctx, []store.StoredRecord{feedRecord("second", 1, time.Now())}, nil)
	}()
	// Wait until B's write is done or waits for the feed's lock.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting bool
		if err := a.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting || len(done) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node B's write neither ended nor waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	seen, pos := readAll(t, b, head)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	more, _ := readAll(t, b, pos)
	seen = append(seen, more...)
	if g, want := kinds(seen), []kindIDs{{store.ChangeRecords, []string{"first"}}, {store.ChangeRecords, []string{"second"}}}; fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("the reader saw %v, want %v", g, want)
	}
}

// TestChangesUnderConcurrentWrites: writers on both nodes and a reader
// following the feed as they write: the reader sees every change
// committed, once each, in seq order.
func TestChangesUnderConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	head, err := nodes[1].ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var seen []store.Change
	readerDone := make(chan uint64, 1)
	go func() {
		pos := head
		defer func() { readerDone <- pos }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			page, next, err := nodes[1].Changes(ctx, pos, 7)
			if err != nil {
				t.Error(err)
				return
			}
			seen, pos = append(seen, page...), next
		}
	}()
	errs := together(4, nodes, func(node int, db *DB, w int) error {
		for i := range 15 {
			id := fmt.Sprintf("n%d-w%d-%d", node, w, i)
			if err := db.PutRecords(ctx, []store.StoredRecord{feedRecord(id, uint64(i), time.Now())},
				[]store.Audit{{Action: store.AuditSync, Subject: id}}); err != nil {
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
	close(stop)
	pos := <-readerDone
	tail, _ := readAll(t, nodes[1], pos)
	seen = append(seen, tail...)
	all, _ := readAll(t, nodes[0], head)
	// Writes made at once on a node share a change row (a group commit):
	// every record is in the feed once, whatever the rows.
	ids := map[string]int{}
	for _, c := range all {
		for _, id := range c.IDs {
			ids[id]++
		}
	}
	if len(ids) != 2*4*15 {
		t.Fatalf("%d records in the feed, want %d", len(ids), 2*4*15)
	}
	for id, n := range ids {
		if n != 1 {
			t.Fatalf("record %s is in the feed %d times", id, n)
		}
	}
	if fmt.Sprint(seen) != fmt.Sprint(all) {
		var missed []uint64
		for _, c := range all {
			if !slices.ContainsFunc(seen, func(s store.Change) bool { return s.Seq == c.Seq }) {
				missed = append(missed, c.Seq)
			}
		}
		t.Fatalf("the reader following the writes saw %d changes, the feed holds %d; missed %v", len(seen), len(all), missed)
	}
}

// TestChangesPruned: pruning keeps the newest change; a reader from
// before what was pruned, or from beyond the head (a database gone back
// in time), is told its changes are lost; one from the head reads on.
func TestChangesPruned(t *testing.T) {
	ctx := context.Background()
	nodes := twoNodes(t)
	a, b := nodes[0], nodes[1]
	for i := range 3 {
		if err := a.PutRecords(ctx, []store.StoredRecord{feedRecord(fmt.Sprint("p", i), uint64(i), time.Now())}, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, last := readAll(t, b, 0)
	if len(all) != 3 {
		t.Fatalf("%d changes", len(all))
	}
	n, err := a.pruneChanges(ctx, -time.Hour) // older than an hour from now: all of them
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2 (the newest stays)", n, err)
	}
	if _, _, err := b.Changes(ctx, all[0].Seq, 10); !errors.Is(err, store.ErrChangesLost) {
		t.Fatalf("after a pruned change: %v", err)
	}
	if _, _, err := b.Changes(ctx, last+5, 10); !errors.Is(err, store.ErrChangesLost) {
		t.Fatalf("after the head: %v", err)
	}
	head, err := b.ChangeHead(ctx)
	if err != nil || head != last {
		t.Fatalf("head %d, %v; want %d", head, err, last)
	}
	if got, _, err := b.Changes(ctx, all[1].Seq, 10); err != nil || len(got) != 1 || got[0].Seq != last {
		t.Fatalf("from the pruning's end: %v, %v", got, err)
	}
	if err := a.PutRecords(ctx, []store.StoredRecord{feedRecord("p9", 9, time.Now())}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, b, head); len(got) != 1 || got[0].IDs[0] != "p9" {
		t.Fatalf("after the head: %v", got)
	}
}

// TestChangesLostAfterAnAsyncFailover: a reader of the feed on a primary
// with an asynchronous standby reads past commits the standby never
// received; the primary dies and the standby is promoted, and new writes
// draw the lost changes' seqs again. The reader's next read is
// ErrChangesLost (before, it read on from its seq: past the new changes
// drawn at or below it, and never told that what it had read was gone);
// from a new head it reads the new writes.
func TestChangesLostAfterAnAsyncFailover(t *testing.T) {
	ctx := context.Background()
	primary, err := pgtest.Start(pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err := primary.StartStandby("standby", pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })
	if err := primary.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	db := openTest(t, fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/beredskap?sslmode=disable&target_session_attrs=read-write",
		primary.Port, standby.Port), Options{PollEvery: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	put := func(id string) {
		t.Helper()
		if err := db.PutRecords(ctx, []store.StoredRecord{feedRecord(id, 1, time.Now())}, nil); err != nil {
			t.Fatal(err)
		}
	}
	head, err := db.ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 30 changes the standby has, 10 it does not: the sequence logs 32
	// values ahead, so the standby's sequence is likely to stand within
	// the lost ones, and the new primary to draw them again.
	for i := range 30 {
		put(fmt.Sprint("kept", i))
	}
	waitStandbyReplayed(t, primary)
	standby.Kill()
	for i := range 10 {
		put(fmt.Sprint("lost", i))
	}
	seen, pos := readAll(t, db, head)
	if len(seen) != 40 {
		t.Fatalf("%d changes before the failover, want 40", len(seen))
	}
	primary.Kill()
	if err := standby.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := standby.Promote(); err != nil {
		t.Fatal(err)
	}
	waitPrimary(t, db)
	if _, err := db.StoredRecordByID(ctx, "lost0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a record committed on the primary alone, after the failover: %v; the test lost nothing", err)
	}
	for i := range 40 { // past the seqs the standby's sequence had logged ahead
		put(fmt.Sprint("new", i))
	}
	var reissued bool
	if err := db.pool.QueryRow(ctx, `SELECT min(seq) <= $1 FROM changes WHERE 'new0' = ANY(ids)`, int64(seen[len(seen)-1].Seq&posSeqMask)).Scan(&reissued); err != nil {
		t.Fatal(err)
	}
	t.Logf("the new primary drew the lost changes' seqs again: %v", reissued)
	if _, _, err := db.Changes(ctx, pos, 100); !errors.Is(err, store.ErrChangesLost) {
		t.Fatalf("reading on after the failover: %v, want ErrChangesLost", err)
	}
	if !strings.Contains(logs.String(), "history changed") {
		t.Fatalf("no warning of the failover in the log: %s", logs.String())
	}
	fresh, err := db.ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put("after")
	if got, _ := readAll(t, db, fresh); len(got) != 1 || got[0].IDs[0] != "after" {
		t.Fatalf("from the new head: %v", kinds(got))
	}
}

// waitPrimary waits until db's pool reaches a primary again (the dead
// one's connections dropped, the multi-host URL's next host promoted).
func waitPrimary(t *testing.T, db *DB) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var inRecovery bool
		err := db.pool.QueryRow(context.Background(), `SELECT pg_is_in_recovery()`).Scan(&inRecovery)
		if err == nil && !inRecovery {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no primary within a minute: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStandbyReplayed waits until the primary's standby has replayed
// everything the primary wrote.
func waitStandbyReplayed(t *testing.T, primary *pgtest.Cluster) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), primary.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(time.Minute)
	for {
		var done bool
		if err := conn.QueryRow(context.Background(),
			`SELECT coalesce((SELECT replay_lsn >= pg_current_wal_lsn() FROM pg_stat_replication LIMIT 1), false)`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby did not catch up within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFeedGenerations: the history an answer comes from starts a new
// generation of positions when it is not the one before (another
// timeline, another system), and a server in recovery says nothing.
func TestFeedGenerations(t *testing.T) {
	db := &DB{log: slog.New(slog.DiscardHandler)}
	for i, c := range []struct {
		h   dbHistory
		gen uint64
	}{
		{dbHistory{7, 1}, 0},
		{dbHistory{7, 1}, 0},
		{dbHistory{7, 0}, 0}, // in recovery
		{dbHistory{7, 2}, 1}, // promoted
		{dbHistory{7, 2}, 1},
		{dbHistory{8, 2}, 2}, // another cluster
		{dbHistory{8, 3}, 3},
	} {
		if g := db.generation(c.h); g != c.gen {
			t.Fatalf("answer %d from %+v: generation %d, want %d", i, c.h, g, c.gen)
		}
	}
	if p, err := position(3, 42); err != nil || p>>posGenShift != 3 || p&posSeqMask != 42 {
		t.Fatalf("position: %x, %v", p, err)
	}
	if _, err := position(0, 1<<posGenShift); err == nil {
		t.Fatal("a seq beyond what a position holds was taken")
	}
}
